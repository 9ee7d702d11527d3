"""The command line: the same core functions the GUI uses."""
