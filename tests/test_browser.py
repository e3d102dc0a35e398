"""Notebook 05 runs in a real JupyterLab, driven through its UI by headless Chromium: every cell, its figures and
the generator widget, the one part of the lesson that only a browser can check (nbval compares the printed outputs
of all seven notebooks).

JupyterLab serves a temporary copy of notebooks/ (running cells autosaves, so the committed files are
never opened); the kernels import helpers from this checkout, so data/ is the real one, while 05's
RUN_DIR (../runs/tutorial beside the copy) holds a tiny model trained for the test (05's fallback to
pretrained/ is tests/test_rundir.py's).
Screenshots go to runs/browser/. Needs Debian's chromium and the playwright package (not its browser
download); set CHROMIUM_PATH to use another Chromium executable.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:
    sync_playwright = None

pytestmark = pytest.mark.end_to_end

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "runs" / "browser"
WIDTH, HEIGHT = 1400, 1000
MAX_SCREENSHOT_HEIGHT = 16_000  # Chromium's limit for one capture is about 16,384 pixels
START_TIMEOUT = 180  # seconds for JupyterLab to answer, and for a page and its kernel to be ready
# Seconds for Run All Cells. On 2 cores 05 took 90 s with one other training job running, but 25 minutes at a load average of 15.
RUN_TIMEOUT = 3600
GENERATE_TIMEOUT = 600  # seconds for the generator's button: a new prompt length compiles its sampling loop first
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception|Interrupt)\b", re.MULTILINE)
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
SCROLLER = f"document.querySelector('{NOTEBOOK} .jp-WindowedPanel-outer')"
# The input prompts of code cells: [ ]:, [*]: or [12]:. Collapsed solution cells show none; the saved file covers those.
PROMPTS_JS = f"[...document.querySelectorAll('{NOTEBOOK} .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim()).filter(Boolean)"
STATUS_JS = f"document.querySelector('{NOTEBOOK} .jp-Notebook-ExecutionIndicator')?.getAttribute('data-status')"
# Notebook settings for a test: every cell in the DOM (no virtual scrolling), no news or update toasts.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def find_chromium() -> tuple[str | None, str]:
    """The Chromium executable to drive, or None with the reason none was found."""
    override = os.environ.get("CHROMIUM_PATH")
    if override is not None:
        usable = os.path.isfile(override) and os.access(override, os.X_OK)
        return (override, "") if usable else (None, f"CHROMIUM_PATH={override!r} is not an executable file (unset it to use "
                                                     f"/usr/bin/chromium, or apt-get install -y chromium)")
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate, ""
    return None, "no chromium found at /usr/bin/chromium or on PATH (apt-get update && apt-get install -y chromium)"


def missing_browser() -> str:
    """One line saying what the browser test lacks and how to get it; empty when nothing is missing."""
    _, chromium_reason = find_chromium()
    reasons = [chromium_reason] if chromium_reason else []
    if sync_playwright is None:
        reasons.append("the playwright package is not installed (.venv/bin/pip install playwright; "
                       "its own browser download is not needed)")
    return "browser test skipped: " + "; ".join(reasons) if reasons else ""


if missing_browser():
    pytest.skip(missing_browser(), allow_module_level=True)
CHROMIUM = find_chromium()[0]


# ---- JupyterLab server ---------------------------------------------------------------------------------------------------

def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base: str, token: str, path: str, method: str = "GET") -> object:
    """The JSON answer of JupyterLab's REST API at path (None for an empty answer)."""
    request = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def copy_notebooks(root: Path) -> None:
    """notebooks/ copied under root, with no runs/ beside it. In the copy, 05 writes the smoke profile's
    NUM_GENERATE characters, not the tutorial's 1,000: its Python loop and the timing cell take a tenth of the
    time, and every cell still runs (the widget's 300 characters are its own argument)."""
    shutil.copytree(REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    assert not (root / "runs").exists(), f"{root / 'runs'} should not exist in the copy"
    smoke = yaml.safe_load((REPO / "params" / "smoke.yaml").read_text())["NUM_GENERATE"]
    notebook = root / "notebooks" / "05_generate.ipynb"
    default = "NUM_GENERATE: int = 1000"
    assert default in notebook.read_text(), f"05's parameters cell no longer says {default!r}"
    notebook.write_text(notebook.read_text().replace(default, f"NUM_GENERATE: int = {smoke}"))


def train_tiny_run(run_dir: Path, model, vocab, ids) -> None:
    """One epoch of four batches of the conftest's tiny model, into the run folder 05 restores by default: a GRU
    of 16 units shows every cell and the widget working as the pretrained model's two 640-unit layers do, faster."""
    from conftest import tiny_datasets
    from lessons import fit_04

    from helpers.rundir import save_run

    save_run(run_dir, model, vocab)
    fit_04(model, *tiny_datasets(ids), 1, run_dir)


def lab_environment(home: Path) -> dict[str, str]:
    """The server's environment: private Jupyter/IPython folders, test settings, helpers importable from this checkout."""
    for name, content in LAB_SETTINGS.items():
        (home / "settings" / name).parent.mkdir(parents=True, exist_ok=True)
        (home / "settings" / name).write_text(json.dumps(content))
    env = {key: value for key, value in os.environ.items() if key not in ("MPLBACKEND", "JUPYTER_TOKEN")}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               IPYTHONDIR=str(home / "ipython"), PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return env


def start_lab(root: Path, home: Path, token: str, port: int, log) -> subprocess.Popen:
    """JupyterLab on localhost:port serving root, in a process group of its own."""
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.token={token}", f"--port={port}",
               "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return subprocess.Popen(command, env=lab_environment(home), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until_answering(process: subprocess.Popen, base: str, token: str, log_path: Path) -> None:
    """Poll /api/status with the token until JupyterLab answers; fail with its log if it exits or never does."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {process.returncode} before answering:\n{log_path.read_text()[-3000:]}")
        try:
            api(base, token, "/api/status")
            return
        except OSError:  # not listening yet (URLError, ConnectionError and timeouts are all OSErrors)
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer {base}/api/status within {START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")


def stop_lab(process: subprocess.Popen, base: str, token: str, runtime: Path) -> None:
    """Shut down the kernels, then the server's process group; kill any kernel still using this server's runtime folder."""
    try:
        for kernel in api(base, token, "/api/kernels"):
            api(base, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    except OSError:
        pass  # the server is gone already: its kernels are handled below
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    for pid in pids_mentioning(str(runtime)):  # kernels run in sessions of their own, outside the server's group
        with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
            os.kill(pid, signal.SIGKILL)


def pids_mentioning(text: str) -> list[int]:
    """The processes whose command line contains text (a folder only this test created)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended meanwhile
    return [pid for pid in pids if pid != os.getpid()]


@pytest.fixture(scope="module")
def lab(fresh_tiny, vocab, ids, tmp_path_factory):
    """A running JupyterLab over a copy of notebooks/, with a tiny trained model in the run folder 05 reads:
    yields (base URL, token, served root); always stopped."""
    home = tmp_path_factory.mktemp("jupyterlab")
    root = home / "root"
    copy_notebooks(root)
    train_tiny_run(root / "runs" / "tutorial", fresh_tiny(), vocab, ids)
    token, port = secrets.token_hex(16), free_port()
    base, log_path = f"http://127.0.0.1:{port}", home / "jupyterlab.log"
    with open(log_path, "w") as log:
        process = start_lab(root, home, token, port, log)
        try:
            wait_until_answering(process, base, token, log_path)
            yield base, token, root
        finally:
            stop_lab(process, base, token, home / "runtime")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's executable, not Playwright's download)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab, closed after the test."""
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.set_default_timeout(START_TIMEOUT * 1000)
    try:
        yield context.new_page()
    finally:
        context.close()


# ---- Driving the JupyterLab UI ------------------------------------------------------------------------------------------

def open_notebook(page, lab, name: str) -> None:
    """Open notebooks/<name>.ipynb in a workspace of its own; wait until all its cells are shown and its kernel is idle."""
    base, token, root = lab
    cells = len(json.loads((root / "notebooks" / f"{name}.ipynb").read_text())["cells"])
    page.goto(f"{base}/lab/workspaces/{name}/tree/notebooks/{name}.ipynb?reset&token={token}")
    page.wait_for_function(f"document.querySelectorAll('{NOTEBOOK} .jp-Cell').length === {cells}")
    page.wait_for_function(f"{STATUS_JS} === 'idle'")
    sidebar_tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if sidebar_tab.count():
        sidebar_tab.click()  # fold the file browser away: a wider notebook in the screenshots


def menu(page, top: str, item: str) -> None:
    """Choose item in JupyterLab's menu bar under top."""
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()  # the label, not its shortcut


def run_all_cells(page, timeout_s: int) -> None:
    """Clear the committed outputs, Run > Run All Cells, and wait until no cell is queued or running and the kernel is idle."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    left = page.locator(f"{NOTEBOOK} .jp-OutputArea-output").count()
    assert left == 0, f"expected no outputs after Edit > Clear Outputs of All Cells, saw {left}"
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(f"{PROMPTS_JS}.some(p => p.includes('*')) || {PROMPTS_JS}.every(p => /\\d/.test(p))")
    done = f"!{PROMPTS_JS}.some(p => p.includes('*')) && {STATUS_JS} === 'idle'"
    page.wait_for_function(done, timeout=timeout_s * 1000, polling=1000)  # once a second, not every frame, for minutes


def wait_for_kernel_idle(lab, name: str) -> None:
    """Poll the REST API until the kernel of notebooks/<name>.ipynb reports execution_state idle."""
    base, token, _ = lab
    deadline, state = time.monotonic() + START_TIMEOUT, None
    while time.monotonic() < deadline:
        sessions = [s for s in api(base, token, "/api/sessions") if s["path"] == f"notebooks/{name}.ipynb"]
        state = sessions[0]["kernel"]["execution_state"] if sessions else "no session"
        if state == "idle":
            return
        time.sleep(0.5)
    pytest.fail(f"expected the kernel of {name}.ipynb to be idle after Run All Cells, /api/sessions says {state!r}")


def save(page) -> None:
    """File > Save Notebook, then wait until its tab is no longer marked as changed."""
    menu(page, "File", "Save Notebook")
    page.wait_for_function("document.querySelectorAll('.lm-TabBar-tab.jp-mod-dirty').length === 0")


def screenshot_path(name: str) -> Path:
    """runs/browser/<name>.png in this checkout (the folder is created if missing)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def screenshot(page, name: str) -> Path:
    """A PNG of the whole notebook, top to bottom, in runs/browser/ (the viewport is stretched to its height)."""
    height = page.evaluate(f"{SCROLLER}.scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": min(height + 150, MAX_SCREENSHOT_HEIGHT)})
    page.evaluate(f"{SCROLLER}.scrollTop = 0")
    path = screenshot_path(name)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    print(f"screenshot: {path}")
    return path


# ---- What the page shows ------------------------------------------------------------------------------------------------

def outputs(page, mime_type: str | None = None) -> list[str]:
    """The text of each rendered output of the notebook, of one MIME type if given."""
    selector = f"{NOTEBOOK} .jp-OutputArea-output" + (f'[data-mime-type="{mime_type}"]' if mime_type else "")
    return page.locator(selector).all_inner_texts()


def rendered_errors(page) -> list[str]:
    """Error outputs as JupyterLab renders them: tracebacks (shown with the stderr MIME type) or an error MIME type."""
    errors = [text for text in outputs(page, "application/vnd.jupyter.stderr") if ERROR_TEXT.search(text)]
    return errors + outputs(page, "application/vnd.jupyter.error")


def unexecuted_prompts(page) -> list[str]:
    """The input prompts of code cells that show no execution count, such as [ ]: or [*]:."""
    return [prompt for prompt in page.evaluate(PROMPTS_JS) if not re.fullmatch(r"\[\d+\]:", prompt)]


def saved_problems(path: Path) -> list[str]:
    """What the saved notebook says went wrong: error outputs, and code cells (hidden ones too) left unexecuted."""
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    problems = [f"cell {i}: {o['ename']}: {o['evalue']}" for i, c in enumerate(cells) for o in c["outputs"] if o["output_type"] == "error"]
    return problems + [f"code cell {i} has no execution count" for i, c in enumerate(cells) if c["execution_count"] is None]


def check_ran_cleanly(page, lab, name: str) -> None:
    """Assert the notebook rendered no error, every code cell ran, its kernel is idle, and the saved copy agrees."""
    errors = rendered_errors(page)
    assert not errors, f"expected no error output in {name}, the page shows:\n" + "\n---\n".join(e[-1500:] for e in errors)
    prompts = unexecuted_prompts(page)
    assert not prompts, f"expected every code cell of {name} to show an execution count, saw prompts {prompts}"
    wait_for_kernel_idle(lab, name)
    save(page)
    problems = saved_problems(lab[2] / "notebooks" / f"{name}.ipynb")
    assert not problems, f"expected the saved {name} to have run cleanly, it has: {problems}"


def check_images(page, name: str, at_least: int) -> None:
    """Assert the notebook shows at least this many rendered images, each with pixels."""
    images = page.locator(f"{NOTEBOOK} .jp-RenderedImage img")
    sizes = [image.evaluate("img => [img.naturalWidth, img.naturalHeight]") for image in images.all()]
    assert len(sizes) >= at_least, f"expected at least {at_least} rendered images in {name}, saw {len(sizes)}"
    assert all(w > 100 and h > 100 for w, h in sizes), f"expected real figures in {name}, image sizes were {sizes}"


def generator(page):
    """The interactive generator of 05: the widget box that holds the Generate button."""
    button = page.get_by_role("button", name="Generate", exact=True)
    return page.locator(f"{NOTEBOOK} .jp-OutputArea-output .widget-vbox").filter(has=button)


def check_generator_widget(widget) -> None:
    """Assert the generator is shown once, with START_STRING in its prompt box, three sliders and an empty output area."""
    expect(widget, "expected the generator widget (a box with a Generate button) below its cell").to_have_count(1)
    expect(widget.locator(".widget-textarea textarea"), "expected the prompt box to hold START_STRING").to_have_value("ROMEO: ")
    expect(widget.locator(".widget-slider"), "expected three sliders: temperature, top-k, characters").to_have_count(3)
    expect(widget.locator(".widget-output"), "expected an empty output area before the button is pressed").to_have_text("")


def press_generate(widget, prompt: str) -> str:
    """Type prompt into the generator, press Generate, and return the text that then appears below the button."""
    widget.locator(".widget-textarea textarea").fill(prompt)
    widget.get_by_role("button", name="Generate", exact=True).click()
    written = widget.locator(".widget-output")
    expect(written, "expected generated text below the generator").to_contain_text(prompt.strip(), timeout=GENERATE_TIMEOUT * 1000)
    return written.inner_text()


# ---- Tests ----------------------------------------------------------------------------------------------------------------

def test_05_generate_runs_on_a_trained_model_and_its_generator_writes(page, lab):
    open_notebook(page, lab, "05_generate")
    run_all_cells(page, RUN_TIMEOUT)
    screenshot(page, "05_generate")
    check_ran_cleanly(page, lab, "05_generate")
    stdout = "\n".join(outputs(page, "application/vnd.jupyter.stdout"))
    assert "Loaded ../runs/tutorial, epoch 1" in stdout, (
        f"expected 05 to load the tiny model trained into its RUN_DIR, it printed:\n{stdout[:1500]}")
    check_images(page, "05_generate", at_least=2)  # the temperatures and the embeddings

    widget = generator(page)
    check_generator_widget(widget)
    text = press_generate(widget, "JULIET:\n")
    assert text.startswith("JULIET:\n") and len(text.strip()) >= len("JULIET:\n") + 250, (
        f"expected 'JULIET:' followed by about 300 generated characters, saw {len(text)} characters: {text[:400]!r}")
    cell = page.locator(f"{NOTEBOOK} .jp-CodeCell").filter(has=page.get_by_role("button", name="Generate", exact=True))
    path = screenshot_path("05_generate_widget")
    cell.screenshot(path=path)
    print(f"screenshot: {path}")
