"""The Training tab: settings, Start/Pause/Stop, the live plots, and the worker thread."""
