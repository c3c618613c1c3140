"""Modal screens over the library screen: note and tag editors, export, removal, help."""
