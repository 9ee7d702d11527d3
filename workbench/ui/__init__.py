"""The PySide6 shell. It presents and delegates; all domain work is in workbench.core."""
