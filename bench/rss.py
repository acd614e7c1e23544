"""The peak resident memory of this process while a block runs (Linux).

VmRSS is sampled every 5 ms and ``ru_maxrss`` read at the end, so a short peak
between two samples is still seen.
"""

import resource
import threading
import time


def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakRSS:
    """``with PeakRSS() as memory:`` then ``memory.idle_kb`` and ``memory.peak_kb``."""

    def __enter__(self):
        self.idle_kb = self.peak_kb = rss_kb()
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, rss_kb())
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._sampler.join()
        # ru_maxrss is in KB on Linux.
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.peak_kb = max(self.peak_kb, maxrss)
        return False
