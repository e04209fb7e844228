"""Start-up: no arguments opens the window; a sub-command runs the command line."""

from __future__ import annotations

import sys

EXIT_NO_DISPLAY = 1


def run_gui(argv: list[str] | None = None) -> int:
    from .nn.memory import DEFAULT_BUDGET, configured_budget, format_bytes
    from .ui.display import CLI_HINT, apt_command, display_problem

    problem = display_problem()  # before Qt loads: Qt aborts the process instead
    if problem:
        print(f"nn-playground: {problem}", file=sys.stderr)
        return EXIT_NO_DISPLAY

    try:
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication

        from .ui.window.main_window import MainWindow
    except ImportError as e:
        if "shared object" not in str(e):
            raise
        # a system library Qt links against is missing
        print(f"nn-playground: the window cannot open: {e} ({apt_command()} "
              f"installs what Qt needs; {CLI_HINT})", file=sys.stderr)
        return EXIT_NO_DISPLAY

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("nn-playground")
    app.setApplicationName("Neural Network Playground")
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
    window = MainWindow()
    window.show()
    budget_problem = configured_budget()[1]
    if budget_problem:  # the window opens all the same, with the default budget
        text = f"{budget_problem}; using {format_bytes(DEFAULT_BUDGET)}"
        print(f"nn-playground: {text}", file=sys.stderr)
        window.statusBar().showMessage(text, 30_000)
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args:
            from .cli import main as cli_main

            return cli_main(args)
        return run_gui()
    except KeyboardInterrupt:  # Ctrl+C while starting up: no traceback
        print("nn-playground: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
