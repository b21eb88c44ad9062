"""Drive every slider panel of the notebooks in a real browser: JupyterLab + chromium (Playwright).

    python tools/browser_check.py                # every notebook
    python tools/browser_check.py 02 05          # notebooks whose names start with 02 or 05

For each notebook, a copy with its outputs cleared is opened in a token-less JupyterLab on
127.0.0.1 (autosave and cell windowing off, settings in a temporary folder) and run with
Run > Run All Cells. Then every control of every panel (the `.gentut-panel` boxes that
gentut.widgets.panel.image_panel builds) is moved twice, as a student moves it:

* a slider by the keyboard (ArrowRight on its focused handle, ArrowLeft at the end of the track)
  and by a mouse drag of the handle;
* a drop-down by the keyboard (ArrowDown / ArrowUp) and by choosing another option (gentut's
  panels use toggle buttons instead: JupyterLab takes the arrow keys of a closed drop-down for
  its own cell navigation, ipywidgets issue 3912);
* toggle buttons by Space on another button and by a click;
* a text box (09b's sentence) by typing a changed sentence and pressing Enter, twice.

Every move must change the panel's picture, the page must show no error (no Python error from
the kernel, no widget that failed to display, no uncaught script error, no traceback in the
kernel's log), and the time from the input event to the new picture in the page is recorded.
A failure saves a screenshot under `.ci/artifacts/browser/`.

The browser is Debian's `chromium` (`apt-get install chromium`; Playwright's own browser
download is not used); set GENTUT_CHROMIUM to use another chromium-based binary.
tests/test_browser.py runs this for every notebook, benchmarks/browser.py prints the latencies.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / ".ci" / "artifacts" / "browser"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1366, "height": 768}           # the laptop screen a whole panel must fit
RUN_TIMEOUT_S = 900          # one notebook's Run All Cells
MOVE_TIMEOUT_S = 30          # one control move until its new picture
SERVER_START_TIMEOUT_S = 300     # a busy 2-core machine takes minutes
CONTROLS = (".widget-slider, .widget-hslider, .widget-dropdown, .widget-toggle-buttons, .widget-upload, "
            ".widget-checkbox, .widget-text")        # ipywidgets 7 and 8 class names
WIDGET_ERRORS = ("Error displaying widget", "Error rendering", "Failed to load model class",
                 "Model not found", "Could not create a view", "Failed to create view")

# Runs in the page before JupyterLab: watches the kernel's websockets (requests sent, the "idle"
# status that closes each one, Python errors), input events, and the pictures' src changes.
PAGE_SCRIPT = r"""
(() => {
  const state = window.__gentut = {pending: new Set(), errors: [], events: [], changes: [],
                                   kernelReady: 0};
  const decoder = new TextDecoder();
  // A kernel message from a websocket frame: JSON text, the legacy binary form (big-endian
  // uint32 count and offsets, then the JSON message and its buffers) or the
  // v1.kernel.websocket.jupyter.org form (little-endian uint64 offsets, then channel, header,
  // parent header, metadata, content and buffers).
  function decode(data, protocol) {
    if (typeof data === 'string') return JSON.parse(data);
    const view = new DataView(data);
    const part = (start, end) => decoder.decode(data.slice(start, end));
    if (protocol === 'v1.kernel.websocket.jupyter.org') {
      const n = Number(view.getBigUint64(0, true));
      const offsets = [];
      for (let i = 0; i < n; i++) offsets.push(Number(view.getBigUint64(8 * (i + 1), true)));
      const parts = [];
      for (let i = 0; i + 1 < offsets.length && i < 5; i++) parts.push(part(offsets[i], offsets[i + 1]));
      return {channel: parts[0], header: JSON.parse(parts[1]), parent_header: JSON.parse(parts[2]),
              content: JSON.parse(parts[4])};
    }
    const n = view.getUint32(0);
    return JSON.parse(part(view.getUint32(4), n > 1 ? view.getUint32(8) : data.byteLength));
  }
  function received(message) {
    const type = message.header && message.header.msg_type;
    const parent = message.parent_header && message.parent_header.msg_id;
    if (type === 'status' && message.content.execution_state === 'idle') state.pending.delete(parent);
    if (type === 'kernel_info_reply') state.kernelReady += 1;
    if (type === 'error') state.errors.push(`${message.content.ename}: ${message.content.evalue}`);
  }
  const Native = window.WebSocket;
  class Watched extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes('/api/kernels/')) return;
      this.addEventListener('message', event => {
        const handle = data => { try { received(decode(data, this.protocol)); } catch (e) {} };
        if (event.data instanceof Blob) event.data.arrayBuffer().then(handle); else handle(event.data);
      });
    }
    send(data) {
      if (String(this.url).includes('/api/kernels/')) {
        try {
          const buffer = ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data;
          const message = decode(buffer, this.protocol);
          if (message.channel === 'shell' || message.channel === 'control') state.pending.add(message.header.msg_id);
        } catch (e) {}
      }
      return super.send(data);
    }
  }
  window.WebSocket = Watched;
  for (const type of ['keydown', 'pointerdown', 'pointermove', 'change', 'click']) {
    document.addEventListener(type, event => state.events.push([type, performance.now()]), true);
  }
  state.watch = img => {
    state.changes = [];
    if (state.observer) state.observer.disconnect();
    state.observer = new MutationObserver(() => state.changes.push(performance.now()));
    state.observer.observe(img, {attributes: true, attributeFilter: ['src']});
  };
})();
"""


@dataclasses.dataclass
class Move:
    """One control moved once: where, how, whether the picture changed, and how fast (ms)."""
    notebook: str
    panel: int
    control: str
    how: str
    latency_ms: float | None
    error: str = ""


@dataclasses.dataclass
class NotebookReport:
    """What driving one notebook found: its panels' moves, the controls left alone, the failures."""
    notebook: str
    run_seconds: float = 0.0
    panels: int = 0
    moves: list[Move] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)
    failures: list[str] = dataclasses.field(default_factory=list)

    def latencies(self) -> list[float]:
        return [m.latency_ms for m in self.moves if m.latency_ms is not None]


def find_chromium() -> str | None:
    """The chromium binary to drive: $GENTUT_CHROMIUM, else the first chromium on PATH."""
    if os.environ.get("GENTUT_CHROMIUM"):
        return os.environ["GENTUT_CHROMIUM"]
    return next((shutil.which(name) for name in CHROMIUM_CANDIDATES if shutil.which(name)), None)


def missing_requirements() -> list[str]:
    """What this check needs and cannot find, each as a sentence that says how to install it."""
    import importlib.util
    missing = [f"the Python package {name} (pip install -e '.[browser]')"
               for name in ("playwright", "jupyterlab") if importlib.util.find_spec(name) is None]
    if find_chromium() is None:
        missing.append("a chromium browser: Debian/Ubuntu package `chromium` (sudo apt-get install chromium; "
                       "python tools/install.py does it when run as root), or set GENTUT_CHROMIUM to one")
    return missing


def jupyterlab_major() -> int:
    import jupyterlab
    return int(jupyterlab.__version__.split(".")[0])


def lab_settings(major: int) -> dict[str, dict]:
    """JupyterLab user settings for a test: no autosave (with jupytext it would rewrite the paired
    .py), every cell in the page (windowing hides off-screen outputs), no news or update checks."""
    settings = {"@jupyterlab/docmanager-extension/plugin": {"autosave": False}}
    if major >= 4:
        settings["@jupyterlab/notebook-extension/tracker"] = {"windowingMode": "none"}
        settings["@jupyterlab/apputils-extension/notification"] = {"fetchNews": "false", "checkForUpdates": False}
    else:
        settings["@jupyterlab/notebook-extension/tracker"] = {"numberCellsToRenderDirectly": 100000,
                                                             "renderCellOnIdle": False}
    return settings


def cleared_copy(source: Path, folder: Path) -> Path:
    """Copy a notebook with its outputs and execution counts removed (so that Run All can be seen
    to finish) and without empty code cells (JupyterLab never numbers them)."""
    import nbformat
    notebook = nbformat.read(source, as_version=4)
    notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or c.source.strip()]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    target = folder / source.name
    nbformat.write(notebook, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A token-less JupyterLab on 127.0.0.1 serving `folder`, its settings and state in `workdir`."""

    def __init__(self, folder: Path, workdir: Path):
        self.folder, self.workdir, self.port = folder, workdir, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "LabServer":
        settings_dir = self.workdir / "settings"
        for plugin, values in lab_settings(jupyterlab_major()).items():
            path = settings_dir / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
               "JUPYTERLAB_WORKSPACES_DIR": str(self.workdir / "workspaces"),
               "JUPYTER_CONFIG_DIR": str(self.workdir / "config"),
               "JUPYTER_RUNTIME_DIR": str(self.workdir / "runtime"), "JUPYTER_PLATFORM_DIRS": "1"}
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1", "--ServerApp.token=",
                   "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
                   "--ServerApp.allow_root=True", f"--ServerApp.root_dir={self.folder}",
                   "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        cwd=self.folder)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"JupyterLab did not start; its log:\n{self.log_tail()}")
            time.sleep(0.2)                        # polling the server's status endpoint
        return self

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def request(self, method: str, path: str) -> object:
        request = urllib.request.Request(f"{self.url}{path}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every session and its kernel (one notebook's kernel must not slow the next)."""
        for session in self.request("GET", "/api/sessions"):
            self.request("DELETE", f"/api/sessions/{session['id']}")

    def log_size(self) -> int:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.stat().st_size

    def log_since(self, offset: int) -> str:
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as f:
            f.seek(offset)
            return f.read()

    def log_tail(self, chars: int = 4000) -> str:
        text = self.log_since(0)
        return text[-chars:]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class BrowserCheck:
    """JupyterLab and a headless chromium, shared by every notebook checked in one session."""

    def __init__(self, notebooks: list[Path], artifacts: Path = ARTIFACTS):
        self.sources = {p.name: p for p in notebooks}
        self.artifacts = artifacts

    def __enter__(self) -> "BrowserCheck":
        from playwright.sync_api import sync_playwright
        self.workdir = Path(tempfile.mkdtemp(prefix="gentut-browser-"))
        folder = self.workdir / "notebooks"
        folder.mkdir()
        for source in self.sources.values():
            cleared_copy(source, folder)
        try:
            self.server = LabServer(folder, self.workdir).__enter__()
        except Exception:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        try:
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                                           args=CHROMIUM_ARGS)
        except Exception:
            self.server.__exit__()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()
        self.playwright.stop()
        self.server.__exit__()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def check(self, name: str) -> NotebookReport:
        """Open notebook `name`, run all its cells, move every control of every panel."""
        report = NotebookReport(name)
        context = self.browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.add_init_script(PAGE_SCRIPT)
        page_errors: list[str] = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        log_start = self.server.log_size()
        try:
            NotebookDriver(page, report, self.artifacts, self.server.url).run()
        except Exception as error:                         # noqa: BLE001 -- reported, with a screenshot
            report.failures.append(f"{type(error).__name__}: {error}")
            save_screenshot(page, self.artifacts, f"{Path(name).stem}-error")
        finally:
            report.failures += [f"uncaught script error in the page: {e}" for e in page_errors]
            log = self.server.log_since(log_start)
            report.failures += [f"traceback in the server's or kernel's log:\n{log[m.start():m.start() + 2000]}"
                                for m in list(re.finditer(r"Traceback \(most recent call last\)", log))[:3]]
            context.close()
            self.server.shutdown_kernels()
        return report


def save_screenshot(page, folder: Path, stem: str) -> None:
    """Save the whole page as folder/stem.png (best effort: a dead page saves nothing)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(folder / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', stem)}.png"), full_page=True)
    except Exception:                                     # noqa: BLE001
        pass


class NotebookDriver:
    """Runs one open notebook and moves its panels' controls, filling a NotebookReport."""

    def __init__(self, page, report: NotebookReport, artifacts: Path, url: str):
        self.page, self.report, self.artifacts, self.url = page, report, artifacts, url

    # -- running -------------------------------------------------------------------------------------
    def run(self) -> None:
        page = self.page
        # ?reset: a fresh workspace. Otherwise JupyterLab reopens the previous notebook's tab
        # beside this one, "Run All Cells" can run that tab, and this notebook waits forever.
        page.goto(f"{self.url}/lab/tree/{self.report.notebook}?reset")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
        page.wait_for_function("() => window.__gentut.kernelReady > 0", timeout=120_000)
        start = time.perf_counter()
        self.menu("Run", "Run All Cells")
        page.wait_for_function(
            """() => window.__gentut.errors.length > 0 ||
                     [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                       .every(p => /\\[\\d+\\]/.test(p.textContent))""", timeout=RUN_TIMEOUT_S * 1000, polling=250)
        self.settle()
        self.report.run_seconds = time.perf_counter() - start
        self.wait_for_widgets()
        self.check_page("after Run All Cells")
        if self.report.failures:
            return
        panels = page.locator(".gentut-panel")
        self.report.panels = panels.count()
        for index in range(self.report.panels):
            self.drive_panel(index, panels.nth(index))
        self.check_page("after moving the controls")

    def wait_for_widgets(self) -> None:
        """Wait until no output is left empty: a widget's output stays empty until its view renders."""
        try:
            self.page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-OutputArea-output')]
                         .every(o => o.childElementCount > 0 || o.textContent.trim() !== '')""", timeout=60_000)
        except Exception:                                 # noqa: BLE001 -- reported as a failure
            self.report.failures.append("an output stayed empty for 60 s after Run All Cells (a widget that never rendered?)")

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()

    def settle(self) -> None:
        """Wait until the kernel has answered every request the page sent (its "idle" status)."""
        self.page.wait_for_function("() => window.__gentut.pending.size === 0", timeout=RUN_TIMEOUT_S * 1000,
                                    polling=50)

    def check_page(self, when: str) -> None:
        errors = self.page.evaluate("() => window.__gentut.errors.splice(0)")
        self.report.failures += [f"Python error {when}: {e}" for e in errors]
        text = self.page.locator(".jp-OutputArea-output").all_inner_texts()
        shown = sorted({phrase for phrase in WIDGET_ERRORS for t in text if phrase in t})
        self.report.failures += [f"widget error shown {when}: {phrase!r}" for phrase in shown]
        if errors or shown:
            save_screenshot(self.page, self.artifacts, f"{Path(self.report.notebook).stem}-{when}")

    # -- moving ------------------------------------------------------------------------------------
    def drive_panel(self, index: int, panel) -> None:
        panel.scroll_into_view_if_needed()
        picture = panel.locator("img.widget-image").last
        picture.evaluate("img => window.__gentut.watch(img)")
        controls = panel.locator(CONTROLS).all()
        # sliders first: a choice of where an edit applies (06's layer range) changes nothing
        # while every strength is still 0
        controls.sort(key=lambda c: 0 if "slider" in (c.get_attribute("class") or "") else 1)
        if not controls:
            self.report.failures.append(f"panel {index}: no control found (selectors: {CONTROLS})")
        for control in controls:
            label = (control.locator(".widget-label").first.inner_text() if control.locator(".widget-label").count()
                     else "").strip() or "(unlabelled)"
            kind = control.get_attribute("class") or ""
            if "widget-upload" in kind:
                self.report.skipped.append(f"panel {index} {label}: a file upload (needs a file chooser)")
                continue
            for how, action in self.actions(control, kind):
                self.move(index, label, how, action)

    def actions(self, control, kind: str):
        """(how, action) pairs that move `control` by the keyboard and by the mouse."""
        if "widget-slider" in kind or "widget-hslider" in kind:
            handles = control.locator(".noUi-handle, .ui-slider-handle")
            track = control.locator(".noUi-base, .ui-slider").first
            return [("key", lambda: self.key_slider(handles.first, track)),
                    ("drag", lambda: self.drag_slider(handles.last, track))]
        if "widget-dropdown" in kind:
            select = control.locator("select")
            return [("key", lambda: self.key_select(select)), ("select", lambda: self.pick_select(select))]
        if "widget-toggle-buttons" in kind:
            buttons = control.locator("button")
            return [("key", lambda: self.press_toggle(buttons, "Space")), ("click", lambda: self.press_toggle(buttons, None))]
        if "widget-text" in kind:
            box = control.locator("input")
            return [("type", lambda: self.type_text(box)), ("type again", lambda: self.type_text(box))]
        return [("click", lambda: control.locator("input").click())]

    def move(self, panel: int, label: str, how: str, action) -> None:
        """Do one action; wait for the picture to change; record the latency or the failure."""
        page = self.page
        self.settle()
        mark = page.evaluate("() => { window.__gentut.changes = []; window.__gentut.events = []; return performance.now(); }")
        event_type = action()
        name = Path(self.report.notebook).stem
        try:
            page.wait_for_function("() => window.__gentut.changes.length > 0", timeout=MOVE_TIMEOUT_S * 1000)
        except Exception:                                 # noqa: BLE001 -- a timeout is the failure
            message = f"panel {panel} '{label}' ({how}): the picture did not change within {MOVE_TIMEOUT_S} s"
            self.report.failures.append(message)
            self.report.moves.append(Move(name, panel, label, how, None, message))
            save_screenshot(page, self.artifacts, f"{name}-panel{panel}-{label}-{how}")
            return
        latency = page.evaluate("""([mark, type]) => {
            const s = window.__gentut;
            const event = s.events.find(([t, time]) => t === type && time >= mark);
            return event ? s.changes[0] - event[1] : null; }""", [mark, event_type])
        self.report.moves.append(Move(name, panel, label, how, latency))
        self.settle()

    def key_slider(self, handle, track) -> str:
        handle.scroll_into_view_if_needed()
        at_end = self.fraction(handle, track) > 0.98
        handle.focus()
        handle.press("ArrowLeft" if at_end else "ArrowRight")
        return "keydown"

    def drag_slider(self, handle, track) -> str:
        handle.scroll_into_view_if_needed()
        box, bar = handle.bounding_box(), track.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        # to the far side of the track's middle: a binary factor (eyeglasses, lamps on) only
        # changes the picture when it crosses 0.5
        target = bar["x"] + (0.9 if self.fraction(handle, track) < 0.5 else 0.1) * bar["width"]
        mouse = self.page.mouse
        mouse.move(x, y)
        mouse.down()
        mouse.move(target, y, steps=8)
        mouse.up()
        return "pointermove"

    @staticmethod
    def fraction(handle, track) -> float:
        """Where the handle sits along the track, 0 (left end) to 1 (right end)."""
        box, bar = handle.bounding_box(), track.bounding_box()
        return (box["x"] + box["width"] / 2 - bar["x"]) / max(bar["width"], 1)

    @staticmethod
    def type_text(box) -> str:
        """Add ", old" to the sentence in a text box (or take it away) and press Enter."""
        sentence = box.input_value()
        box.fill(sentence[:-len(", old")] if sentence.endswith(", old") else sentence + ", old")
        box.press("Enter")
        return "keydown"

    def key_select(self, select) -> str:
        last = select.evaluate("s => s.selectedIndex >= s.options.length - 1")
        select.focus()
        select.press("ArrowUp" if last else "ArrowDown")
        return "keydown"

    def pick_select(self, select) -> str:
        options = select.evaluate("s => [s.selectedIndex, s.options.length]")
        select.select_option(index=(options[0] + 1) % options[1])
        return "change"

    def press_toggle(self, buttons, key: str | None) -> str:
        other = next(b for b in buttons.all() if "mod-active" not in (b.get_attribute("class") or ""))
        if key is None:
            other.click()
            return "click"
        other.focus()
        other.press(key)
        return "keydown"


def summarize(reports: list[NotebookReport]) -> str:
    """A table: per notebook, panels, moves, event -> picture latency median and p95 (ms)."""
    lines = [f"{'notebook':28s} {'panels':>6s} {'moves':>5s} {'median ms':>9s} {'p95 ms':>7s} {'run all s':>9s}"]
    everything = []
    for report in reports:
        values = report.latencies()
        everything += values
        lines.append(f"{report.notebook:28s} {report.panels:6d} {len(report.moves):5d} "
                     f"{percentile(values, 50):9.0f} {percentile(values, 95):7.0f} {report.run_seconds:9.1f}")
    lines.append(f"{'all':28s} {'':6s} {len(everything):5d} {percentile(everything, 50):9.0f} "
                 f"{percentile(everything, 95):7.0f}")
    return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if q != 50 else statistics.median(ordered)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefixes", nargs="*", help="only notebooks whose names start with these")
    args = parser.parse_args()
    missing = missing_requirements()
    if missing:
        print("missing: " + "; ".join(missing), file=sys.stderr)
        return 2
    notebooks = sorted(p for p in NOTEBOOKS.glob("*.ipynb")
                       if not args.prefixes or p.name.startswith(tuple(args.prefixes)))
    reports = []
    with BrowserCheck(notebooks) as session:
        for notebook in notebooks:
            reports.append(session.check(notebook.name))
            for failure in reports[-1].failures:
                print(f"FAIL {notebook.name}: {failure}", file=sys.stderr)
    print(summarize(reports))
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
