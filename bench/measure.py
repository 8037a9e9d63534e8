"""Run one command as a child and print its wall time and peak memory as JSON."""

import json
import resource
import subprocess
import sys
import time

if __name__ == "__main__":
    start = time.perf_counter()
    completed = subprocess.run(
        sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 3),
                "peak_mb": round(peak_kb / 1024, 1),
                "returncode": completed.returncode,
                "stderr": completed.stderr.decode()[-300:],
            }
        )
    )
