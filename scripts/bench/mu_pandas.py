"""The independent peer of Luodi's 亩均 (per-mu benefit) evaluation, written in pandas.

Usage: python mu_pandas.py INPUT.csv OUTPUT.csv [--repeat N]

INPUT.csv has the columns uscc,revenue_wan,tax_wan,value_added_wan,energy_tce,rd_wan,employees,land_mu
(every row an enterprise to rate). OUTPUT.csv gets uscc,group,total_score,class in input order,
total_score written with repr (the shortest text that reads back as the same float64).
Prints one JSON line: the median time of the computation alone (not reading or writing the CSV).

The method, in the order of floating-point operations that the Rust implementation uses, so the two
agree bit for bit:
- group: small when revenue_wan < 2000, else above;
- indicators: tax_per_mu = tax_wan / land_mu, revenue_per_mu = revenue_wan / land_mu,
  va_per_tce = value_added_wan / energy_tce, rd_intensity = rd_wan / revenue_wan,
  labour_productivity = value_added_wan / employees;
- weights: above: tax_per_mu 45, revenue_per_mu 20, va_per_tce 15, rd_intensity 15,
  labour_productivity 5; small: tax_per_mu 100;
- score (min and max over the enterprise's group): weight when max == min,
  else weight * (20 + 80 * (x - min) / (max - min)) / 100, left to right;
- total_score = 0.0 + s1 + s2 + ... in the order above;
- rank within the group by total_score desc, tax_per_mu desc, uscc asc; class A when
  r*100 <= 25*n, B when <= 70*n, C when <= 95*n, else D.
"""

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd

INDICATORS = ["tax_per_mu", "revenue_per_mu", "va_per_tce", "rd_intensity", "labour_productivity"]
WEIGHTS = {
    "above": {"tax_per_mu": 45, "revenue_per_mu": 20, "va_per_tce": 15, "rd_intensity": 15,
              "labour_productivity": 5},
    "small": {"tax_per_mu": 100},
}


def evaluate(firms: pd.DataFrame) -> pd.DataFrame:
    df = firms.assign(
        group=np.where(firms["revenue_wan"] < 2000, "small", "above"),
        tax_per_mu=firms["tax_wan"] / firms["land_mu"],
        revenue_per_mu=firms["revenue_wan"] / firms["land_mu"],
        va_per_tce=firms["value_added_wan"] / firms["energy_tce"],
        rd_intensity=firms["rd_wan"] / firms["revenue_wan"],
        labour_productivity=firms["value_added_wan"] / firms["employees"],
    )
    by_group = df.groupby("group", sort=False)

    # Indicators in their fixed order, each adding its score where the enterprise's group weighs it.
    total = pd.Series(0.0, index=df.index)
    for ind in INDICATORS:
        weight = df["group"].map({g: w.get(ind, 0) for g, w in WEIGHTS.items()})
        x = df[ind]
        lo = by_group[ind].transform("min")
        hi = by_group[ind].transform("max")
        with np.errstate(divide="ignore", invalid="ignore"):
            spread = weight * (20 + 80 * (x - lo) / (hi - lo)) / 100
        score = np.where(hi == lo, weight.astype("float64"), spread)
        total = total + np.where(weight > 0, score, 0.0)
    df["total_score"] = total

    # Rank within each group: total_score desc, tax_per_mu desc, uscc asc.
    ranked = df.sort_values(
        ["group", "total_score", "tax_per_mu", "uscc"],
        ascending=[True, False, False, True],
        kind="mergesort",
    )
    r = ranked.groupby("group", sort=False).cumcount().add(1).reindex(df.index).to_numpy(np.int64)
    n = by_group["uscc"].transform("size").to_numpy(np.int64)
    df["class"] = np.select(
        [r * 100 <= 25 * n, r * 100 <= 70 * n, r * 100 <= 95 * n], ["A", "B", "C"], default="D"
    )
    return df[["uscc", "group", "total_score", "class"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    # pandas' default float parsing. Since pandas 3.1 every float_precision mode is one converter
    # that rounds correctly (the argument is deprecated and only warns), so each number is the
    # float64 nearest its decimal text, as Rust's str::parse::<f64> gives.
    money = ["revenue_wan", "tax_wan", "value_added_wan", "energy_tce", "rd_wan", "land_mu"]
    firms = pd.read_csv(
        args.input,
        encoding="utf-8",
        dtype={"uscc": str, "employees": "int64", **{col: "float64" for col in money}},
    )

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = evaluate(firms)
        times.append((time.perf_counter() - t0) * 1000.0)

    out = out.assign(total_score=[float.__repr__(float(v)) for v in out["total_score"]])
    out.to_csv(args.output, index=False, encoding="utf-8", lineterminator="\n")

    json.dump(
        {
            "pandas_ms_median": statistics.median(times),
            "pandas": pd.__version__,
            "python": platform.python_version(),
            "rows": len(firms),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
