"""Times TextVectorization on 100k short sentences: torchkeras (plain Python) vs Keras 3
(TensorFlow ops), same sentences, same settings.

    python bench/text_preprocessing.py               # torchkeras, and Keras if importable
    python bench/text_preprocessing.py --impl keras  # only Keras (e.g. in a TF environment)

Keras 3 runs this layer through TensorFlow even on the torch backend, so its figure needs
an environment with TensorFlow; the script says so when it is missing.
"""
import argparse
import os
import time

import numpy as np

WORDS = ("the a cat dog sat ran on under mat fast slow big small red green blue happy sad "
         "movie film good bad great awful plot actor scene story end").split()


def sentences(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 13, size=n)
    picks = rng.integers(0, len(WORDS), size=int(lengths.sum()))
    out, i = [], 0
    for k in lengths:
        words = [WORDS[j] for j in picks[i:i + k]]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + ".")
        i += k
    return np.array(out)


def run(layers_module, texts: np.ndarray, batch: int) -> tuple:
    vec = layers_module.TextVectorization(max_tokens=5000, output_sequence_length=16)
    t0 = time.perf_counter()
    vec.adapt(texts)
    t_adapt = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(0, len(texts), batch):
        vec(texts[i:i + batch])
    return t_adapt, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--impl", choices=["both", "torchkeras", "keras"], default="both")
    args = ap.parse_args()
    texts = sentences(args.n)
    results = {}
    if args.impl in ("both", "torchkeras"):
        import torchkeras
        results["torchkeras"] = run(torchkeras.layers, texts, args.batch)
    if args.impl in ("both", "keras"):
        try:
            import tensorflow  # noqa: F401  Keras's TextVectorization needs it
            os.environ.setdefault("KERAS_BACKEND", "torch")
            import keras
            results["keras %s (TF)" % keras.__version__] = run(keras.layers, texts, args.batch)
        except ImportError:
            print("Keras's TextVectorization needs TensorFlow, which is not installed here; "
                  "run with --impl keras in an environment that has it.")
    for name, (t_adapt, t_call) in results.items():
        print("%-22s adapt %6.2f s   vectorize %6.2f s   (%d sentences, batch %d)"
              % (name, t_adapt, t_call, args.n, args.batch))
    if len(results) == 2:
        (a1, c1), (a2, c2) = results.values()
        print("ratio torchkeras/keras: adapt %.2fx, vectorize %.2fx" % (a1 / a2, c1 / c2))


if __name__ == "__main__":
    main()
