"""A student's (or instructor's) JupyterLab, started for a test, and a headless Chromium driving it.

``fresh_venv(path)`` makes a Python environment at ``path`` as a fresh ``python3 -m venv`` followed by
``pip install`` leaves it, without installing anything: it runs this venv's packages and holds exactly the
Jupyter configuration their installation wrote (nbgrader's four server extensions and five lab plugins on).
Set-up commands that write "at the sys-prefix level" (``jupyter labextension disable --level=sys_prefix``,
``jupyter server extension disable --sys-prefix``) write to ``path/etc/jupyter``, never to this venv, so the
student's set-up and the instructor's are tried side by side from the one ``.venv`` of CI and developers.
``venv_environment(prefix, private_dir)`` is the environment of a shell in which that venv is active, with
private user-level Jupyter folders (no ``~/.jupyter`` of the machine is read).
``start_jupyterlab(folder, ...)`` runs ``jupyter lab NOTEBOOK`` in ``folder`` exactly as the README says, plus
what a test needs: a free local port, a token, no browser, and server settings that fetch no news and check
no updates (nothing may reach the internet; the front end's news pop-up is left to the set-up under test).
``launch_chromium(playwright)`` starts Debian's ``/usr/bin/chromium``; a missing browser is a failure.
``JupyterLabPage`` wraps a Playwright page with the few student actions the tests need.
"""

import importlib.metadata
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
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
#: Server settings of the test only: the server fetches no news feed and checks no updates. The front end's
#: question "Would you like to get notified about official Jupyter news?" is not affected: that is the set-up's.
SERVER_CONFIG = {
    "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate"}
}
#: The question JupyterLab's announcements plugin asks on a first start (JupyterLab 4.6).
NEWS_PROMPT = "Would you like to get notified about official Jupyter news?"
#: This venv: its prefix, its packages, its console scripts.
THIS_PREFIX = Path(sys.prefix)
THIS_SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
THIS_BIN = Path(sys.executable).parent


def free_port():
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def installed_jupyter_config():
    """``{path relative to etc/jupyter: file}`` of every Jupyter config file that ``pip install`` wrote here.

    Read from the packages' RECORD files, so a file a command wrote later (e.g. a ``disable`` run in this
    venv) is not among them.
    """
    etc = os.path.normpath(THIS_PREFIX / "etc" / "jupyter")
    files = {}
    for dist in importlib.metadata.distributions():
        for name in dist.files or []:
            path = os.path.normpath(str(dist.locate_file(name)))
            if path.startswith(etc + os.sep):
                files[os.path.relpath(path, etc)] = path
    return files


def fresh_venv(prefix):
    """A venv at ``prefix`` as ``python3 -m venv`` + ``pip install`` of this venv's packages would leave it.

    Nothing is installed: a ``.pth`` file puts this venv's site-packages (with its own ``.pth`` files) on
    its path, ``share/jupyter`` (JupyterLab's assets, the lab extensions, kernels) is a link to this venv's,
    ``etc/jupyter`` is a copy of the config files the packages' installation wrote, and ``bin/`` has their
    console scripts (``jupyter``, ``jupyter-lab``, ...) running this venv's Python. Return ``prefix``.
    """
    prefix = Path(prefix)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    python = prefix / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "this_venv_packages.pth").write_text(
        "import site; site.addsitedir({!r})\n".format(str(THIS_SITE_PACKAGES))
    )
    (prefix / "share").mkdir(exist_ok=True)
    (prefix / "share" / "jupyter").symlink_to(THIS_PREFIX / "share" / "jupyter")
    for relative, source in installed_jupyter_config().items():
        target = prefix / "etc" / "jupyter" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shebang = re.compile(r"#!.*python[0-9.]*\n")
    for script in THIS_BIN.iterdir():
        target = prefix / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        with open(script, "rb") as handle:
            head = handle.read(200)
        match = shebang.match(head.decode("latin-1"))
        if not match or str(THIS_BIN) not in match.group(0):
            continue  # not a console script of this venv (activate, a binary, ...)
        text = script.read_bytes()[len(match.group(0)) :]
        target.write_bytes("#!{}\n".format(python).encode() + text)
        target.chmod(0o755)
    return prefix


def private_jupyter_dirs(base):
    """Create empty user-level Jupyter folders under ``base``; return them as environment variables.

    The user-level config folder holds only the test's server settings (``SERVER_CONFIG``).
    """
    base = Path(base)
    config = base / "config"
    config.mkdir(parents=True)
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    return {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }


def venv_environment(prefix, private_dir):
    """Environment variables of a shell in which the venv ``prefix`` is active (``. prefix/bin/activate``).

    This venv's ``bin/`` leaves PATH; Jupyter's and Python's own variables from outside are dropped; the
    user-level Jupyter folders are private ones under ``private_dir``.
    """
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "IPYTHON"))
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != THIS_BIN]
    env["PATH"] = os.pathsep.join([str(Path(prefix) / "bin")] + path)
    env["VIRTUAL_ENV"] = str(prefix)
    env.update(private_jupyter_dirs(private_dir))
    return env


def run_command(argv, env, cwd):
    """Run a set-up command as a shell would (``argv[0]`` looked up in env's PATH); fail with its output."""
    executable = shutil.which(argv[0], path=env["PATH"])
    assert executable, "{} is not on the PATH of the environment".format(argv[0])
    result = subprocess.run([executable, *argv[1:]], cwd=str(cwd), env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, "{} failed ({}):\n{}".format(" ".join(argv), result.returncode, output)
    return output


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

    def status(self, path):
        """HTTP status of a GET of ``path`` (e.g. ``formgrader``) on the server, with the token."""
        try:
            with urllib.request.urlopen(self.page_url(path), timeout=SERVER_START_TIMEOUT) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

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
        "jupyter",
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


def start_jupyterlab(folder, notebook_file, env, log_path):
    """Start ``jupyter lab notebook_file`` in ``folder`` with ``env`` (``venv_environment``); return the ready server."""
    port, token = free_port(), secrets.token_hex(16)
    command = jupyter_lab_command(notebook_file, port, token)
    executable = shutil.which(command[0], path=env["PATH"])
    assert executable, "jupyter is not on the PATH of the environment"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [executable, *command[1:]],
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

    def sidebar_tabs(self):
        """Labels and captions of the tabs of both side bars (e.g. "Create Assignment")."""
        return self.page.evaluate(
            "() => [...document.querySelectorAll('.jp-SideBar .lm-TabBar-tab')]"
            ".map(tab => (tab.textContent + ' ' + (tab.title || '')).trim())"
        )

    def menu_items(self, top):
        """The entries the menu ``top`` shows when opened (labels of its visible items); closes it again."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^{}$".format(re.escape(top)))).click()
        menu = self.page.locator(".lm-Menu").last
        menu.wait_for(timeout=UI_TIMEOUT_MS)
        items = menu.locator(".lm-Menu-item")
        labels = [
            items.nth(i).locator(".lm-Menu-itemLabel").text_content().strip()
            for i in range(items.count())
            if items.nth(i).is_visible()
        ]
        self.page.keyboard.press("Escape")
        menu.wait_for(state="detached", timeout=UI_TIMEOUT_MS)
        return [label for label in labels if label]

    def menu_bar(self):
        """The titles of the menu bar (File, Edit, ..., Nbgrader, Help)."""
        return [text.strip() for text in self.page.locator(".lm-MenuBar-itemLabel").all_text_contents()]

    def news_prompt(self):
        """A locator of JupyterLab's news question, wherever it shows (toast or notification list)."""
        return self.page.get_by_text(NEWS_PROMPT)

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
