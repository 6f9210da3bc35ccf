"""A function's output goes to its log; what other threads print meanwhile stays theirs."""

import threading

from sklambda.observability import logger
from sklambda_local import function_logs


def test_prints_from_other_threads_during_an_invocation_are_not_filed_as_function_output(capsys):
    heard: list[tuple[str, str]] = []

    def listener(name: str, line: str) -> None:
        heard.append((name, line))

    function_logs.add_listener(listener)
    function_running = threading.Event()
    main_printed = threading.Event()

    def handler(event, context):
        print("from the function")
        logger.info("function log line")
        function_running.set()
        main_printed.wait(timeout=10)
        return "ok"

    # Given a function running on another thread, as the embedded Step Functions runs tasks
    results: list[str] = []
    worker = threading.Thread(
        target=lambda: results.append(
            function_logs.invoke_capturing_output("Fn", handler, {}, None)
        )
    )
    worker.start()
    try:
        assert function_running.wait(timeout=10)
        # When the main thread prints progress while the function runs
        print("  -> Train")
    finally:
        main_printed.set()
        worker.join(timeout=10)
        function_logs.remove_listener(listener)

    # Then the progress reaches the terminal and only the function's lines reach its log
    assert results == ["ok"]
    assert capsys.readouterr().out == "  -> Train\n"
    lines = [line for name, line in heard if name == "Fn"]
    assert lines[0] == "from the function"
    assert "function log line" in lines[1]
    assert len(lines) == 2
