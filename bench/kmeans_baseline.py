"""The Python baseline of bench/kmeans.ts: dominant colours of each image with Pillow and
scikit-learn, as the original Spark job's map function did, in one process.

    python3 kmeans_baseline.py --k 5 --resize 100 --seed 42 FILE...

Prints one JSON object: images, seconds (the loop only, after imports), and each image's colours.
"""
import argparse
import json
import time

import numpy as np
from PIL import Image
from sklearn.cluster import KMeans


def dominant_colours(path, k, resize, seed):
    image = Image.open(path).convert("RGB")
    width, height = image.size
    image.thumbnail((resize, resize), Image.NEAREST)
    pixels = np.asarray(image, dtype=np.float64).reshape(-1, 3)
    clusters = min(k, len(np.unique(pixels, axis=0)))
    model = KMeans(n_clusters=clusters, init="k-means++", n_init=1, random_state=seed).fit(pixels)
    counts = np.bincount(model.labels_, minlength=clusters)
    order = np.argsort(-counts, kind="stable")
    colours = []
    for c in order:
        if counts[c] == 0:
            continue
        r, g, b = (int(round(v)) for v in model.cluster_centers_[c])
        colours.append({"hex": "#%02x%02x%02x" % (r, g, b), "share": counts[c] / len(pixels)})
    return {"width": width, "height": height, "colours": colours}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--resize", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    start = time.perf_counter()
    results = [dominant_colours(f, args.k, args.resize, args.seed) for f in args.files]
    seconds = time.perf_counter() - start
    print(json.dumps({"images": len(results), "seconds": seconds, "results": results}))


if __name__ == "__main__":
    main()
