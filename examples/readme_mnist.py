"""The README's first snippet, as written there: an MLP on MNIST (random data if offline)."""
import numpy as np
import torchkeras as keras
from torchkeras import layers

try:
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
except OSError as e:   # offline: random stand-in images, so accuracy stays at chance
    print("MNIST could not be downloaded (%s); training on random data" % type(e).__name__)
    rng = np.random.default_rng(0)
    x_train, y_train = rng.integers(0, 256, (6000, 28, 28)), rng.integers(0, 10, 6000)
    x_test, y_test = rng.integers(0, 256, (1000, 28, 28)), rng.integers(0, 10, 1000)
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

model = keras.Sequential([keras.Input((784,)),
                          layers.Dense(256, activation="relu"),
                          layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=5, validation_split=0.1)
model.evaluate(x_test, y_test)
model.save("mnist.keras")            # one zip file: config, safetensors weights, optimizer
