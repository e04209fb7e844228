"""The main window: menus, the three columns fitted to the screen, files dropped on it."""
