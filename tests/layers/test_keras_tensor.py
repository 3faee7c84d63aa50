"""Output specs of symbolic calls: unknown (None) dims stay unknown when the output
shape comes from a fake run (keras-io lstm_seq2seq, attention on variable lengths)."""
import pytest

import torchkeras as tk


def test_lstm_with_initial_state_keeps_unknown_time_axis():
    enc = tk.Input((None, 5))
    _, h, c = tk.layers.LSTM(4, return_state=True)(enc)
    dec = tk.Input((None, 6))
    seq, h2, c2 = tk.layers.LSTM(4, return_sequences=True, return_state=True)(
        dec, initial_state=[h, c])
    assert seq.shape == (None, None, 4)
    assert h2.shape == (None, 4) and c2.shape == (None, 4)


def test_attention_output_follows_query_length_only():
    q = tk.Input((None, 8))
    v = tk.Input((5, 8))
    assert tk.layers.MultiHeadAttention(2, 4)(q, v).shape == (None, None, 8)
    assert tk.layers.MultiHeadAttention(2, 4)(v, q).shape == (None, 5, 8)


@pytest.mark.keras_oracle
def test_lstm_initial_state_shapes_match_keras(keras):
    enc = keras.Input((None, 5))
    _, h, c = keras.layers.LSTM(4, return_state=True)(enc)
    seq, _, _ = keras.layers.LSTM(4, return_sequences=True, return_state=True)(
        keras.Input((None, 6)), initial_state=[h, c])
    enc_t = tk.Input((None, 5))
    _, ht, ct = tk.layers.LSTM(4, return_state=True)(enc_t)
    seq_t, _, _ = tk.layers.LSTM(4, return_sequences=True, return_state=True)(
        tk.Input((None, 6)), initial_state=[ht, ct])
    assert tuple(seq_t.shape) == tuple(seq.shape)
