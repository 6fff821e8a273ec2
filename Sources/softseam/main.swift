import SoftSEAMCommands

SoftSEAMCommand.main()
