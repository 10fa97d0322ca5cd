"""A brake on password guessing: too many failed logins for a name, or from an address, wait a while.

argon2 makes each guess cost about 0.15 s of the server's time, which still
allows some 24,000 guesses an hour.  After ``PER_NAME`` failures for one
name from one address, or ``PER_ADDRESS`` failures from one address for any
names, within ``WINDOW`` seconds, logins from there are refused with 429
(``Retry-After``) until the oldest failure leaves the window; the password
is then not even checked.  A successful login forgets the name's failures.

The counts live in the server process (a restart forgets them); behind a
proxy every visitor has the proxy's address, so ``PER_ADDRESS`` then limits
everyone together, which errs on the safe side.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

PER_NAME = 5
PER_ADDRESS = 20
WINDOW = 15 * 60.0


class LoginThrottle:
    """Failed logins per (address, name) and per address, over a sliding window."""

    def __init__(
        self,
        per_name: int = PER_NAME,
        per_address: int = PER_ADDRESS,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name, self.per_address, self.window, self.clock = per_name, per_address, window, clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()  # the login handler runs in a thread pool

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def wait(self, address: str, name: str) -> int:
        """Seconds before ``address`` may try ``name`` again; 0 when it may now."""
        now = self.clock()
        with self._lock:
            waits = []
            for key, limit in (((address, name.strip().casefold()), self.per_name), ((address, ""), self.per_address)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    waits.append(times[len(times) - limit] + self.window - now)
            return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, address: str, name: str) -> None:
        """Count a failed login of ``name`` from ``address``."""
        now = self.clock()
        with self._lock:
            for key in ((address, name.strip().casefold()), (address, "")):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, address: str, name: str) -> None:
        """Forget the name's failures from this address (the address's own count stays)."""
        with self._lock:
            self._failures.pop((address, name.strip().casefold()), None)
