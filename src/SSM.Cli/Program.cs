using SSM.Cli;

return CliApp.Run(args);
