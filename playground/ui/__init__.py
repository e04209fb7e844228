"""The Qt side: thin widgets that call the engine and show its results."""
