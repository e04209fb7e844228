"""The Network column: the palette, the layer cards, the diagram, the hint and error banners."""
