"""The networkx peer of `luodi bench forecast`: the longest path of every phase's
prerequisite graph, from the graphs the bench exports.

Input: a JSON list of graphs, each {"d": [duration per node], "e": [[from, to], ...]}.
Items carry durations; networkx weighs edges, so each edge from an item carries that
item's duration and every item also gets an edge to a sink, weighted the same: the
longest path to the sink is then the phase's duration.

Prints one JSON object: build_ms, longest_path_ms (median of RUNS), each graph's length
and their sum.
"""

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
    g.add_weighted_edges_from((u, sink, d[u]) for u in range(sink))
    return g


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path) as f:
        graphs = json.load(f)
    t = time.perf_counter()
    built = [build(g) for g in graphs]
    build_ms = (time.perf_counter() - t) * 1000
    times = []
    lengths = []
    for _ in range(runs):
        t = time.perf_counter()
        lengths = [nx.dag_longest_path_length(g, weight="weight") for g in built]
        times.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "graphs": len(graphs),
                "build_ms": build_ms,
                "longest_path_ms": statistics.median(times),
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
