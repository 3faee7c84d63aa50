"""A data-only interpreter of the pickle streams numpy writes for object arrays.

``np.save`` stores an object array as a pickle. Handing that to ``pickle`` can run
arbitrary code; :func:`decode_object_array` instead walks the opcodes itself. It
understands the data opcodes (ints, floats, strings, bytes, lists, tuples, dicts, the
memo) and recognizes, without ever calling them, the few numpy callables that rebuild
an array (``_reconstruct``, ``ndarray``, ``dtype``, ``_frombuffer``) plus
``_codecs.encode`` (how protocol 2 spells ``bytes``); arrays are then built directly
with numpy. Any other global, and structured dtypes, are refused.
"""
from __future__ import annotations

import struct

import numpy as np

_ALLOWED_GLOBALS = {
    ("numpy", "ndarray"): "ndarray",
    ("numpy", "dtype"): "dtype",
    ("numpy.core.multiarray", "_reconstruct"): "reconstruct",
    ("numpy._core.multiarray", "_reconstruct"): "reconstruct",
    # Protocol 5 rebuilds numeric arrays from a buffer.
    ("numpy.core.numeric", "_frombuffer"): "frombuffer",
    ("numpy._core.numeric", "_frombuffer"): "frombuffer",
    # Protocol-2 pickles written by Python 3 spell ``bytes`` as ``encode(text, "latin1")``.
    ("_codecs", "encode"): "encode",
}


class UnsafeContentError(ValueError):
    """The file holds something other than plain arrays of numbers, strings and lists."""


class _Global:
    __slots__ = ("kind",)

    def __init__(self, kind: str):
        self.kind = kind


class _Pending:
    """An array or dtype between its REDUCE and its BUILD."""

    __slots__ = ("kind", "descr", "memo_keys")

    def __init__(self, kind: str, descr=None):
        self.kind = kind
        self.descr = descr
        self.memo_keys: list = []


def decode_object_array(data, where: str = "<bytes>"):
    """Interprets a numpy object-array pickle stream without executing it."""
    try:
        return _decode(bytes(data), where)
    except (IndexError, struct.error) as e:
        raise UnsafeContentError("%s: truncated or malformed object array (%s)"
                                 % (where, e)) from None


def _hashable(key, fail):
    if not isinstance(key, (str, bytes, int, float, bool, type(None), tuple)):
        fail("dict key of type %s" % type(key).__name__)
    return key


def _decode(data: bytes, where: str):
    n = len(data)
    p = 0
    stack: list = []
    metastack: list = []
    memo: dict = {}
    unpack_from = struct.unpack_from

    def fail(msg):
        raise UnsafeContentError("%s: refusing to load: %s (at byte %d)" % (where, msg, p))

    while p < n:
        op = data[p]
        p += 1
        # Word ids dominate the stream: test the int opcodes first.
        if op == 0x4B:          # K BININT1
            stack.append(data[p])
            p += 1
        elif op == 0x4D:        # M BININT2
            stack.append(data[p] | (data[p + 1] << 8))
            p += 2
        elif op == 0x4A:        # J BININT
            stack.append(unpack_from("<i", data, p)[0])
            p += 4
        elif op == 0x65:        # e APPENDS
            items = stack
            stack = metastack.pop()
            target = stack[-1]
            if type(target) is not list:
                fail("APPENDS on a non-list")
            target.extend(items)
        elif op == 0x28:        # ( MARK
            metastack.append(stack)
            stack = []
        elif op == 0x5D:        # ] EMPTY_LIST
            stack.append([])
        elif op == 0x94:        # MEMOIZE
            _memo_put(memo, len(memo), stack[-1])
        elif op == 0x71:        # q BINPUT
            _memo_put(memo, data[p], stack[-1])
            p += 1
        elif op == 0x72:        # r LONG_BINPUT
            _memo_put(memo, unpack_from("<I", data, p)[0], stack[-1])
            p += 4
        elif op == 0x68:        # h BINGET
            stack.append(_memo_get(memo, data[p], fail))
            p += 1
        elif op == 0x6A:        # j LONG_BINGET
            stack.append(_memo_get(memo, unpack_from("<I", data, p)[0], fail))
            p += 4
        elif op == 0x61:        # a APPEND
            value = stack.pop()
            if type(stack[-1]) is not list:
                fail("APPEND on a non-list")
            stack[-1].append(value)
        elif op == 0x6C:        # l LIST
            items = stack
            stack = metastack.pop()
            stack.append(items)
        elif op == 0x74:        # t TUPLE
            items = stack
            stack = metastack.pop()
            stack.append(tuple(items))
        elif op == 0x29:        # ) EMPTY_TUPLE
            stack.append(())
        elif op in (0x85, 0x86, 0x87):   # TUPLE1..3
            k = op - 0x84
            items = tuple(stack[-k:])
            del stack[-k:]
            stack.append(items)
        elif op == 0x4E:        # N NONE
            stack.append(None)
        elif op == 0x88:        # NEWTRUE
            stack.append(True)
        elif op == 0x89:        # NEWFALSE
            stack.append(False)
        elif op == 0x47:        # G BINFLOAT
            stack.append(unpack_from(">d", data, p)[0])
            p += 8
        elif op in (0x8A, 0x8B):  # LONG1 / LONG4
            size_len = 1 if op == 0x8A else 4
            size = data[p] if op == 0x8A else unpack_from("<i", data, p)[0]
            p += size_len
            if size < 0 or p + size > n:
                fail("bad LONG size")
            stack.append(int.from_bytes(data[p:p + size], "little", signed=True))
            p += size
        elif op in (0x49, 0x4C):  # I INT / L LONG (text)
            end = data.index(b"\n", p)
            text = data[p:end].rstrip(b"L")
            p = end + 1
            if text == b"01":
                stack.append(True)
            elif text == b"00":
                stack.append(False)
            else:
                stack.append(int(text))
        elif op in (0x8C, 0x58, 0x8D, 0x43, 0x42, 0x8E, 0x96, 0x55, 0x54):
            p = _push_string(op, data, p, n, stack, fail)
        elif op == 0x80:        # PROTO
            p += 1
        elif op == 0x95:        # FRAME
            p += 8
        elif op == 0x93:        # STACK_GLOBAL
            name = stack.pop()
            module = stack.pop()
            stack.append(_global(module, name, fail))
        elif op == 0x63:        # c GLOBAL
            end1 = data.index(b"\n", p)
            end2 = data.index(b"\n", end1 + 1)
            module = data[p:end1].decode("ascii")
            name = data[end1 + 1:end2].decode("ascii")
            p = end2 + 1
            stack.append(_global(module, name, fail))
        elif op == 0x52:        # R REDUCE
            args = stack.pop()
            func = stack.pop()
            stack.append(_reduce(func, args, fail))
        elif op == 0x62:        # b BUILD
            state = stack.pop()
            obj = stack[-1]
            if type(obj) is not _Pending:
                fail("BUILD on something other than a numpy array or dtype")
            built = _build(obj, state, fail)
            stack[-1] = built
            for key in obj.memo_keys:
                memo[key] = built
        elif op in (0x70, 0x67):  # p PUT / g GET (text)
            end = data.index(b"\n", p)
            key = int(data[p:end])
            p = end + 1
            if op == 0x70:
                _memo_put(memo, key, stack[-1])
            else:
                stack.append(_memo_get(memo, key, fail))
        elif op == 0x7D:        # } EMPTY_DICT
            stack.append({})
        elif op in (0x73, 0x75):  # s SETITEM / u SETITEMS
            if op == 0x73:
                items = stack[-2:]
                del stack[-2:]
            else:
                items = stack
                stack = metastack.pop()
            target = stack[-1]
            if type(target) is not dict or len(items) % 2:
                fail("SETITEM on a non-dict")
            for i in range(0, len(items), 2):
                target[_hashable(items[i], fail)] = items[i + 1]
        elif op == 0x64:        # d DICT
            items = stack
            stack = metastack.pop()
            if len(items) % 2:
                fail("odd DICT items")
            stack.append({_hashable(items[i], fail): items[i + 1]
                          for i in range(0, len(items), 2)})
        elif op == 0x30:        # 0 POP
            if stack:
                stack.pop()
            else:
                stack = metastack.pop()
        elif op == 0x31:        # 1 POP_MARK
            stack = metastack.pop()
        elif op == 0x32:        # 2 DUP
            stack.append(stack[-1])
        elif op == 0x2E:        # . STOP
            if len(stack) != 1 or metastack:
                fail("malformed stream")
            result = stack[0]
            if type(result) is _Pending:
                fail("unfinished array")
            return result
        else:
            fail("opcode 0x%02x is not allowed in a data file" % op)
    p = n
    fail("stream ended without STOP")


def _push_string(op: int, data: bytes, p: int, n: int, stack: list, fail) -> int:
    if op in (0x8C, 0x43, 0x55):          # 1-byte length
        size = data[p]
        p += 1
    elif op in (0x58, 0x42, 0x54):        # 4-byte length
        size = struct.unpack_from("<I", data, p)[0]
        p += 4
    else:                                 # 8-byte length
        size = struct.unpack_from("<Q", data, p)[0]
        p += 8
    if p + size > n:
        fail("truncated string")
    raw = data[p:p + size]
    if op in (0x8C, 0x58, 0x8D):
        stack.append(raw.decode("utf-8"))
    elif op == 0x96:
        stack.append(bytearray(raw))
    else:
        # Python 2 ``str`` (U/T) is kept as bytes, like pickle's encoding="bytes".
        stack.append(raw)
    return p + size


def _memo_put(memo: dict, key: int, value) -> None:
    memo[key] = value
    if type(value) is _Pending:
        value.memo_keys.append(key)


def _memo_get(memo: dict, key: int, fail):
    try:
        return memo[key]
    except KeyError:
        fail("memo key %d was never stored" % key)


def _global(module, name, fail) -> _Global:
    if isinstance(module, bytes):
        module = module.decode("ascii")
    if isinstance(name, bytes):
        name = name.decode("ascii")
    kind = _ALLOWED_GLOBALS.get((module, name))
    if kind is None:
        fail("the file references `%s.%s`, which is not a plain numpy array part"
             % (module, name))
    return _Global(kind)


def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, (bytes, bytearray)) else str(value)


def _reduce(func, args, fail):
    if type(func) is not _Global or not isinstance(args, tuple):
        fail("REDUCE of something other than a numpy constructor")
    if func.kind == "encode":
        if len(args) != 2 or not isinstance(args[0], str) \
                or args[1] not in ("latin1", "latin-1"):
            fail("_codecs.encode is only understood as encode(text, 'latin1')")
        return args[0].encode("latin-1")
    if func.kind == "frombuffer":
        if len(args) != 4 or not isinstance(args[0], (bytes, bytearray)) \
                or not isinstance(args[1], np.dtype) or args[1].hasobject \
                or not isinstance(args[2], tuple) or args[3] not in ("C", "F"):
            fail("unexpected _frombuffer arguments")
        buf, dtype, shape, order = args
        if not all(type(d) is int and d >= 0 for d in shape) \
                or len(buf) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            fail("_frombuffer payload does not match its shape")
        return np.frombuffer(bytes(buf), dtype=dtype).reshape(shape, order=order).copy()
    if func.kind == "reconstruct":
        if not args or type(args[0]) is not _Global or args[0].kind != "ndarray":
            fail("_reconstruct of something other than numpy.ndarray")
        return _Pending("array")
    if func.kind == "dtype":
        if not args:
            fail("dtype() without a type code")
        return _Pending("dtype", _text(args[0]))
    fail("calling numpy.ndarray directly is not supported")


def _build(obj: _Pending, state, fail):
    if not isinstance(state, tuple):
        fail("unexpected %s state" % obj.kind)
    if obj.kind == "dtype":
        return _build_dtype(obj.descr, state, fail)
    if len(state) == 5:
        state = state[1:]
    if len(state) != 4:
        fail("unexpected array state")
    shape, dtype, fortran, payload = state
    if not isinstance(dtype, np.dtype) or not isinstance(shape, tuple) \
            or not all(type(d) is int and d >= 0 for d in shape):
        fail("unexpected array header")
    size = int(np.prod(shape, dtype=np.int64)) if shape else 1
    order = "F" if fortran else "C"
    if dtype.hasobject:
        if not isinstance(payload, list) or len(payload) != size:
            fail("object array payload does not match its shape")
        flat = np.empty(size, dtype=object)
        for i, value in enumerate(payload):
            flat[i] = value
        # Object items are listed in logical (C) order whatever the memory layout.
        array = flat.reshape(shape)
        return np.asfortranarray(array) if fortran else array
    if not isinstance(payload, (bytes, bytearray)):
        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        else:
            fail("numeric array payload is not bytes")
    if len(payload) != size * dtype.itemsize:
        fail("numeric array payload has the wrong length")
    return np.frombuffer(bytes(payload), dtype=dtype).reshape(shape, order=order).copy()


def _build_dtype(descr: str, state: tuple, fail) -> np.dtype:
    # (version, byteorder, subarray, names, fields, elsize, alignment, flags)
    if len(state) < 5 or any(v is not None for v in state[2:5]):
        fail("structured or sub-array dtypes are not supported")
    if descr[:1] == "V":
        fail("void dtype %r is not supported" % descr)
    try:
        dtype = np.dtype(descr)
    except TypeError:
        fail("unknown dtype %r" % descr)
    order = _text(state[1])
    if order in ("<", ">"):
        dtype = dtype.newbyteorder(order)
    return dtype
