"""A student's JupyterLab, started for a test, and a headless Chromium driving it.

``start_jupyterlab(folder)`` runs ``jupyter lab NOTEBOOK`` in ``folder`` exactly as the README's student
section says, plus what a test needs: a free local port, a token, no browser, and a private Jupyter
config folder that turns off news and update checks (nothing may reach the internet).
``launch_chromium(playwright)`` starts Debian's ``/usr/bin/chromium``; a missing browser is a failure.
``JupyterLabPage`` wraps a Playwright page with the few student actions the tests need.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Seconds to wait for the server to answer, for a page or dialog to appear, for a cell to finish.
SERVER_START_TIMEOUT = 120
UI_TIMEOUT_MS = 60_000
#: Size of the browser window (and of the screenshots), in CSS pixels.
VIEWPORT = {"width": 1400, "height": 1000}
#: Server settings of the test only: no news feed, no update checks.
SERVER_CONFIG = {
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"}
}
#: Front-end plugins turned off in the test: the news pop-up asks a question that would cover the notebook.
DISABLED_LAB_PLUGINS = {"@jupyterlab/apputils-extension:announcements": True}


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_jupyter_dirs(base):
    """Create empty Jupyter config/data/runtime folders under ``base``; return them as environment variables.

    The config folder holds the test's server settings and the list of disabled front-end plugins.
    Extensions installed in the venv (nbgrader's) stay enabled: they are configured in ``sys.prefix``.
    """
    base = Path(base)
    config = base / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": DISABLED_LAB_PLUGINS}))
    return {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }


class JupyterLabServer:
    """A running ``jupyter lab``: its process, URL, token and log file."""

    def __init__(self, process, port, token, log_path):
        self.process, self.port, self.token, self.log_path = process, port, token, log_path
        self.url = "http://127.0.0.1:{}".format(port)

    def page_url(self, path):
        """URL of ``path`` (e.g. ``lab/tree/X.ipynb``) with the token."""
        return "{}/{}?token={}".format(self.url, path, self.token)

    def log(self):
        return Path(self.log_path).read_text(errors="replace")

    def wait_until_ready(self):
        """Poll ``/api/status`` until the server answers; fail with its log if it dies or takes too long."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("jupyter lab exited with code {}:\n{}".format(self.process.returncode, self.log()))
            try:
                with urllib.request.urlopen(self.page_url("api/status"), timeout=5):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        pytest.fail("jupyter lab did not answer within {} s:\n{}".format(SERVER_START_TIMEOUT, self.log()))

    def validate(self, notebook_path):
        """nbgrader's validate API (what the *Validate* button calls) on ``notebook_path``; return its JSON."""
        request = urllib.request.Request(
            "{}/assignments/validate?{}".format(self.url, urllib.parse.urlencode({"path": notebook_path})),
            data=b"",
            method="POST",
            headers={"Authorization": "token " + self.token},
        )
        with urllib.request.urlopen(request, timeout=SERVER_START_TIMEOUT) as response:
            return json.loads(response.read().decode())

    def stop(self):
        """Stop the server (SIGTERM, then SIGKILL if it hangs)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def jupyter_lab_command(notebook_file, port, token):
    """The README's ``jupyter lab NOTEBOOK``, plus the options of a test run."""
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        notebook_file,
        "--no-browser",
        "--ip=127.0.0.1",
        "--port={}".format(port),
        "--IdentityProvider.token={}".format(token),
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    return command


def start_jupyterlab(folder, notebook_file, private_dir, log_path):
    """Start ``jupyter lab notebook_file`` in ``folder``; return the ready ``JupyterLabServer``."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update(private_jupyter_dirs(private_dir))
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            jupyter_lab_command(notebook_file, port, token),
            cwd=str(folder),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = JupyterLabServer(process, port, token, log_path)
    try:
        server.wait_until_ready()
    except BaseException:
        server.stop()
        raise
    return server


def launch_chromium(playwright):
    """Launch Debian's headless Chromium through Playwright; fail (never skip) if it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail("{} is missing: install Debian's chromium package (apt-get install chromium).".format(CHROMIUM))
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class ConsoleLog:
    """Every browser console message and uncaught page error of a page, in order."""

    def __init__(self, page):
        self.messages = []
        page.on("console", lambda message: self.messages.append((message.type, message.text)))
        page.on("pageerror", lambda error: self.messages.append(("pageerror", str(error))))

    def errors(self):
        return [text for kind, text in self.messages if kind in ("error", "pageerror")]

    def texts(self):
        return [text for _, text in self.messages]

    def dump(self):
        return "\n".join("[{}] {}".format(kind, text) for kind, text in self.messages)


class ForeignRequests:
    """Every request a page makes to anything but ``origin`` (the local server), in order."""

    def __init__(self, page, origin):
        self.origin, self.urls = origin.rstrip("/") + "/", []
        page.on("request", self._record)

    def _record(self, request):
        if not request.url.startswith((self.origin, "data:", "blob:")):
            self.urls.append(request.url)


class JupyterLabPage:
    """A notebook open in JupyterLab, driven like a student: menus, keyboard, toolbar buttons."""

    def __init__(self, page, artifacts):
        self.page, self.artifacts = page, Path(artifacts)

    def open_notebook(self, url, cell_count):
        """Go to ``url``; wait until the notebook shows ``cell_count`` cells and its kernel is idle.

        JupyterLab adds the cells of a long notebook to the page in batches, hence the count.
        """
        self.page.goto(url)
        self.page.wait_for_function(
            "n => document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell').length === n",
            arg=cell_count,
            timeout=UI_TIMEOUT_MS,
        )
        self.wait_for_kernel_idle()

    def page_config(self):
        """JupyterLab's page configuration (the JSON the server put into the page)."""
        return self.page.evaluate("() => JSON.parse(document.getElementById('jupyter-config-data').textContent)")

    def cell(self, index):
        """The notebook's cell number ``index`` (0-based, same order as in the .ipynb file)."""
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(index)

    def output_text(self, index, containing=None):
        """What the student reads under cell ``index`` (its outputs, as text).

        With ``containing``, first wait until the output shows that text (outputs render after the kernel
        reports them, so reading at once may see the old output).
        """
        cell = self.cell(index)
        if containing is not None:
            cell.locator(".jp-OutputArea-output", has_text=containing).first.wait_for(timeout=UI_TIMEOUT_MS)
        # textContent, not innerText: off-screen cells are not rendered (CSS content-visibility) and
        # their innerText is empty although the student sees the text once scrolled there.
        return "\n".join(cell.locator(".jp-OutputArea-output").all_text_contents())

    def last_execution_count(self):
        """The highest execution count shown in any input prompt ``[N]:`` (0 if none ran yet)."""
        return self.page.evaluate(
            "() => Math.max(0, ...[...document.querySelectorAll('.jp-InputPrompt')]"
            ".map(p => parseInt((p.textContent.match(/\\[(\\d+)\\]/) || [0, 0])[1])))"
        )

    def wait_for_kernel_idle(self, after_count=None):
        """Wait until the kernel is idle and no cell shows ``[*]``.

        With ``after_count``, first wait until some cell ran after execution count ``after_count``.
        """
        if after_count is not None:
            self.page.wait_for_function(
                "n => [...document.querySelectorAll('.jp-InputPrompt')].some("
                "p => parseInt((p.textContent.match(/\\[(\\d+)\\]/) || [0, 0])[1]) > n)",
                arg=after_count,
                timeout=UI_TIMEOUT_MS,
            )
        self.page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))",
            timeout=UI_TIMEOUT_MS,
        )
        self.page.get_by_text(re.compile(r"\|\s*Idle")).first.wait_for(timeout=UI_TIMEOUT_MS)

    def menu(self, top, item):
        """Click menu ``top`` in the menu bar, then its entry ``item``."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^{}$".format(re.escape(top)))).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile("^{}$".format(re.escape(item)))).click()

    def run_all(self):
        """Run > Run All Cells, then wait for the kernel to finish."""
        count = self.last_execution_count()
        self.menu("Run", "Run All Cells")
        self.wait_for_kernel_idle(after_count=count)

    def replace_cell_source(self, index, source):
        """Click into cell ``index``'s editor, select everything and put ``source`` there instead."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(source)

    def run_cells(self, first, last):
        """Run cells ``first`` to ``last`` (inclusive) one by one with Shift+Enter, as a student does."""
        self.cell(first).locator(".jp-InputPrompt").click()
        for index in range(first, last + 1):
            is_code = "jp-CodeCell" in (self.cell(index).get_attribute("class") or "")
            count = self.last_execution_count()
            self.page.keyboard.press("Shift+Enter")
            self.wait_for_kernel_idle(after_count=count if is_code else None)

    def validate(self):
        """Click nbgrader's *Validate* button; return the text of the results dialog."""
        self.page.locator(".validate-button").click()
        dialog = self.page.locator(".jp-Dialog", has_text="Validation Results")
        dialog.wait_for(timeout=UI_TIMEOUT_MS * 3)
        return dialog.locator("#validation-message").inner_text()

    def close_dialog(self):
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=UI_TIMEOUT_MS)

    def screenshot(self, name, locator=None):
        """Save a PNG of the page (or of ``locator``) as ``<artifacts>/<name>.png``; return its path."""
        path = self.artifacts / "{}.png".format(name)
        if locator is not None:
            locator.scroll_into_view_if_needed()
            # Let the browser render the newly visible cells (CSS content-visibility) before taking the picture.
            self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        (locator or self.page).screenshot(path=str(path))
        return path
