"""The networkx peer of `luodi bench forecast`: the longest path of every phase's
prerequisite graph, from the graphs the bench exports.

Input: a JSON list of graphs, each {"d": [duration per node], "e": [[from, to], ...]}.
Items carry durations; networkx weighs edges, so each edge from an item carries that
item's duration, and every item with no successor gets an edge to a sink weighted the
same: the longest path to the sink is then the phase's duration.

Prints one JSON object: build_ms and longest_path_ms (each the median of RUNS, with the
garbage collector paused as in any fair timing), each graph's length and their sum.
"""

import gc
import json
import platform
import statistics
import sys
import time

import networkx as nx


def build(graph):
    g = nx.DiGraph()
    d = graph["d"]
    sink = len(d)
    g.add_nodes_from(range(sink + 1))
    g.add_weighted_edges_from((u, v, d[u]) for u, v in graph["e"])
    has_successor = {u for u, _ in graph["e"]}
    g.add_weighted_edges_from((u, sink, d[u]) for u in range(sink) if u not in has_successor)
    return g


def timed(runs, work):
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        gc.disable()
        t = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - t) * 1000)
        gc.enable()
    return statistics.median(times), result


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path) as f:
        graphs = json.load(f)
    build_ms, built = timed(runs, lambda: [build(g) for g in graphs])
    longest_ms, lengths = timed(
        runs, lambda: [nx.dag_longest_path_length(g, weight="weight") for g in built]
    )
    print(
        json.dumps(
            {
                "graphs": len(graphs),
                "build_ms": build_ms,
                "longest_path_ms": longest_ms,
                "runs": runs,
                "sum_of_lengths": float(sum(lengths)),
                "lengths": [float(x) for x in lengths],
                "networkx": nx.__version__,
                "python": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main()
