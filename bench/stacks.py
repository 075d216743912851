"""Where an app's CPU time goes, from py-spy's sampled stacks.

py-spy's raw output has one line per distinct stack: the frames from the
outermost to the innermost, separated by `;`, then how many samples caught
the process there. Each sample is put down to a layer of the app: the
innermost frame that belongs to one of the components below, or to the app
itself. Helpers that every component uses (the standard library, anyio,
pydantic) count for the component that called them, since it chose to do
the work: anyio's socket calls inside httpcore are the HTTP client's cost,
its task groups inside FastAPI's SSE encoder are FastAPI's.
"""

import re
from collections import Counter
from dataclasses import dataclass

# Path prefixes, as py-spy shows them, and the layer each belongs to.
LAYERS = [
    ("openai/", "openai SDK"),
    ("httpx/", "HTTP client (httpx, httpcore)"),
    ("httpcore/", "HTTP client (httpx, httpcore)"),
    ("h11/", "HTTP client (httpx, httpcore)"),
    ("fastapi/", "FastAPI (routing, SSE encoding)"),
    ("starlette/", "Starlette (responses)"),
    ("uvicorn/", "uvicorn (HTTP server)"),
    ("sqlalchemy/", "database (SQLAlchemy, PyMySQL)"),
    ("sqlmodel/", "database (SQLAlchemy, PyMySQL)"),
    ("pymysql/", "database (SQLAlchemy, PyMySQL)"),
    ("part5_llm/", "the app's own code"),
    ("bench/apps/", "the app's own code"),
]
EVENT_LOOP = "event loop (uvloop, asyncio)"
GARBAGE_COLLECTOR = "garbage collector"
# C frames (py-spy --native) of a thread that waits rather than works: for a
# lock or the GIL (an idle thread-pool worker), or for the network (the event
# loop with nothing to do). py-spy does not always see such a thread as idle.
WAITING = ("PyThread_acquire_lock", "take_gil", "epoll_wait", "epoll_pwait")
STANDARD_LIBRARY = "other (standard library)"
# Frames under which the event loop runs one callback, or a thread one job.
# What sits above them is the process's start-up, the same for every sample.
ENTRY_POINTS = ("(asyncio/runners.py", "(threading.py")
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    file: str

    @classmethod
    def parse(cls, text: str) -> "Frame":
        found = FRAME.match(text)
        if found is None:
            return cls(text, "")
        return cls(found["function"], found["file"])

    @property
    def layer(self) -> str | None:
        return next((name for prefix, name in LAYERS if prefix in self.file), None)


def callback_frames(frames: list[str]) -> list[str]:
    """The frames of the callback or job that was running, innermost last."""
    start = 0
    for index, frame in enumerate(frames):
        if any(entry in frame for entry in ENTRY_POINTS):
            start = index + 1
    return frames[start:]


def attribute(stack: str) -> tuple[str, Frame | None]:
    """The layer one sample belongs to, and the innermost frame of that layer."""
    if "gc_collect" in stack:
        return GARBAGE_COLLECTOR, None
    frames = callback_frames(stack.split(";"))
    if not frames:
        return EVENT_LOOP, None
    for text in reversed(frames):
        frame = Frame.parse(text)
        if frame.layer is not None:
            return frame.layer, frame
    if any("anyio/" in text for text in frames):
        return "anyio (tasks, memory streams)", None
    if any("asyncio/" in text for text in frames):
        return EVENT_LOOP, None
    return STANDARD_LIBRARY, None


def innermost_python(stack: str) -> Frame:
    """The innermost frame of Python code, past any C frames below it."""
    frames = [Frame.parse(text) for text in stack.split(";")]
    python = [frame for frame in frames if frame.file.endswith(".py")]
    return (python or frames)[-1]


@dataclass
class Profile:
    samples: int
    layers: Counter[str]
    functions: Counter[str]

    def share(self, counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, n / self.samples) for name, n in counter.most_common()]


def read(raw: str) -> Profile:
    """Sum py-spy's raw stacks up by layer, and by the function running."""
    layers: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit() or any(w in stack for w in WAITING):
            continue
        layer, _ = attribute(stack)
        samples += int(count)
        layers[layer] += int(count)
        innermost = innermost_python(stack)
        functions[f"{innermost.function} ({innermost.file})"] += int(count)
    return Profile(samples, layers, functions)
