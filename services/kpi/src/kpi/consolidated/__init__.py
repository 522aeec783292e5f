"""The consolidated monthly report to the provincial chairman (before the 25th): model and files."""
