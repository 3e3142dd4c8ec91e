namespace SSM.Core;

/// <summary>Number format the network runs in (<see cref="TrainingOptions.Precision"/>, <see cref="ScoringOptions.Precision"/>).</summary>
public enum NetworkPrecision
{
    /// <summary>32-bit floats throughout.</summary>
    Float32 = 0,
    /// <summary>The network's convolutions and activations in bfloat16. Its weights stay float32 (cast on each call) and so do
    /// batch-norm parameters, gradients, masks, the restoration error, the loss, smoothing and statistics. Worth it only on
    /// processors with native bfloat16 (AVX-512 BF16, AMX, recent GPUs); elsewhere it emulates and is slower.</summary>
    BFloat16 = 1,
    /// <summary><see cref="BFloat16"/> where the processor computes it natively and faster than float32
    /// (<see cref="Scoring.NativeBFloat16"/>: a CPU with AMX-BF16, or an AMD CPU with AVX-512 BF16), <see cref="Float32"/>
    /// elsewhere, GPUs included. Chosen from the processor's identity when training or the scorer starts, so a machine
    /// always makes the same choice.</summary>
    Auto = 2,
}
