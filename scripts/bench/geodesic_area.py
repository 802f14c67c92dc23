"""An independent check of Luodi's parcel areas: the geodesic area of each polygon on the
WGS84 ellipsoid by geographiclib (Karney's own Python implementation).

Input: a JSON list of rings, each a list of [longitude, latitude] positions (closed).
Prints a JSON list of areas in square metres, in the same order.
"""

import json
import sys

from geographiclib.geodesic import Geodesic


def area(ring):
    polygon = Geodesic.WGS84.Polygon()
    for lon, lat in ring[:-1]:
        polygon.AddPoint(lat, lon)
    _, _, a = polygon.Compute(False, True)
    return abs(a)


def main():
    with open(sys.argv[1]) as f:
        rings = json.load(f)
    print(json.dumps([area(r) for r in rings]))


if __name__ == "__main__":
    main()
