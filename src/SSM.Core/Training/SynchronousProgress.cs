namespace SSM.Core.Training;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the training thread, in order. <see cref="Progress{T}"/> posts
/// to the thread pool (or a UI context), so reports can arrive late or out of order, e.g. after Train returned.
/// </summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
