"""The Draw & predict column: the canvas, the network's input and its ten outputs."""
