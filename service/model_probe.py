"""Load a LightGBM model text from stdin and score one row; exit 0 if that worked.

Run in a child process by ``service.verify``: a damaged file can make LightGBM end the
process that loads it, so it is loaded here first, where that ends only this child.
"""

from __future__ import annotations

import sys


def main() -> int:
    import lightgbm as lgb
    import numpy as np

    booster = lgb.Booster(model_str=sys.stdin.read())
    booster.predict(np.zeros((1, booster.num_feature())), num_threads=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
