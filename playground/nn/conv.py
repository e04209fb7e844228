"""Convolution and pooling over images: Conv2D, MaxPool2D, AvgPool2D.

A sample's shape is (channels, height, width); a 2-D input (height, width), such as a
28 x 28 digit, counts as one channel, so a Conv2D may be the first layer (its output is
3-D; a pool keeps a 2-D input 2-D).

How it is computed: every layer works on a channels-last view of its input (n, H, W, C)
and returns a (n, C, H, W) *view* of channels-last memory, so the next layer's view is
contiguous again and only Flatten (and a Dense after it) sees the (C, H, W) order.
Conv2D gathers each output pixel's K x K x C window into one row of a matrix (im2col,
with ``sliding_window_view``; a one-channel image, with one strided copy per kernel
offset into a column-major matrix, which is faster), with a 1 at the end of each row so
that the same product adds the biases (and, backwards, sums their gradient), and
multiplies it by the filters; in the backward pass it multiplies back and scatters the
windows onto the input's gradient with strided adds (col2im: the kernel's rows, then its
columns). No loop over samples or pixels: the products and adds work on blocks of
samples of about ``BLOCK_BYTES`` (the whole of a small batch, a few blocks of a large
one), and a training step writes its matrices into arrays kept from the step before
(``base.Scratch``). On one BLAS thread a large batch's blocks (and a pool's) can be
split between ``blas.block_workers()`` threads, each writing only its own samples and
its own work arrays, the weights' gradient summed from their parts (``_spread``).
Everything stays in the dtype of the weights (float32 when training).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Layer, Scratch, init_scale
from .blas import block_workers, run_parallel

MAX_FILTERS = 1024
MAX_STRIDE = 100
DEFAULT_POOL = 2  # a pool's size when its spec names none
PADDINGS = ("valid", "same")
# an im2col block about this large (the size of a core's L2 cache) is still in cache when
# it is multiplied: a block of samples at a time is faster than the whole of a large batch
BLOCK_BYTES = 1 << 20


def image_shape(shape) -> tuple[int, int, int]:
    """(channels, height, width) of a 2-D or 3-D sample shape."""
    return (1, *shape) if len(shape) == 2 else tuple(shape)


def conv_side(side: int, size: int, stride: int, padding: str) -> int:
    """Output positions along one side: 'valid' fits the kernel inside the image,
    'same' pads it so that the output is ceil(side / stride) (side itself at stride 1)."""
    if padding == "same":
        return -(-side // stride)
    return (side - size) // stride + 1


def same_padding(side: int, size: int, stride: int) -> tuple[int, int]:
    """Zeros added (before, after) along one side for 'same' padding (the odd one after)."""
    total = max((conv_side(side, size, stride, "same") - 1) * stride + size - side, 0)
    return total // 2, total - total // 2


def _channels_last(x: np.ndarray) -> np.ndarray:
    """(n, C, H, W) or (n, H, W) -> a (n, H, W, C) view."""
    return x[..., None] if x.ndim == 3 else x.transpose(0, 2, 3, 1)


def sample_blocks(n: int, sample_bytes: int) -> list[tuple[int, int]]:
    """(start, stop) of consecutive blocks of the n samples of a mini-batch, each block's
    work array about ``BLOCK_BYTES`` (at least one sample): one block at batch 10, a few
    at batch 128."""
    step = max(1, BLOCK_BYTES // max(1, sample_bytes))
    return [(a, min(n, a + step)) for a in range(0, n, step)]


def _spread(blocks: list[tuple[int, int]], work) -> list:
    """Run ``work(worker, its_blocks)`` for the blocks of samples: all on this thread,
    or split between ``block_workers()`` threads (worker t takes blocks t, t + workers,
    ...; each writes only its own samples' slices and its own work arrays)."""
    workers = min(block_workers(), len(blocks))
    if workers <= 1:
        return [work(0, blocks)]
    return run_parallel([lambda t=t: work(t, blocks[t::workers]) for t in range(workers)])


def _fresh(name: str, shape, dtype) -> np.ndarray:
    """A new array (where ``Scratch.get`` would reuse one)."""
    return np.empty(shape, dtype=dtype)


def _like_input(y: np.ndarray, two_d: bool) -> np.ndarray:
    """(n, H, W, C) -> a (n, C, H, W) view, or (n, H, W) when the input was 2-D."""
    return y[..., 0] if two_d else y.transpose(0, 3, 1, 2)


class Conv2D(Layer):
    """``filters`` kernels of ``size`` x ``size`` over all the input's channels.

    Weights ``w`` (filters, channels, size, size), biases ``b`` (filters,). Output
    (filters, H', W'): 'valid' padding gives H' = (H - size) // stride + 1, 'same'
    gives ceil(H / stride) (zeros around the image, the odd one below and right).
    """

    trainable = True

    def __init__(self, filters: int, size: int, stride: int = 1, padding: str = "valid"):
        self.filters, self.size, self.stride = int(filters), int(size), int(stride)
        self.padding = str(padding)
        self.w: np.ndarray | None = None
        self.b: np.ndarray | None = None
        self.nabla_w: np.ndarray | None = None
        self.nabla_b: np.ndarray | None = None
        self._scratch = Scratch()  # the im2col matrix and col2im's work arrays

    def _sides(self, h: int, w: int) -> tuple[int, int]:
        return (conv_side(h, self.size, self.stride, self.padding),
                conv_side(w, self.size, self.stride, self.padding))

    def output_shape(self, input_shape):
        _, h, w = image_shape(input_shape)
        return (self.filters, *self._sides(h, w))

    def param_shapes(self, input_shape):
        c = image_shape(input_shape)[0]
        return [(self.filters, c, self.size, self.size), (self.filters,)]

    def param_count(self, input_shape):
        return sum(math.prod(s) for s in self.param_shapes(input_shape))

    def scratch_bytes(self, input_shape, itemsize=4) -> int:
        """Bytes per sample kept beside the output: the im2col matrix, plus the
        zero-padded copy of the input for 'same' padding."""
        c, h, w = image_shape(input_shape)
        ho, wo = self._sides(h, w)
        values = ho * wo * (c * self.size * self.size + 1)  # a window and a 1 per pixel
        if self.padding == "same":
            hp = h + sum(same_padding(h, self.size, self.stride))
            wp = w + sum(same_padding(w, self.size, self.stride))
            values += c * hp * wp
        return values * itemsize

    def build(self, input_shape, rng=None, init="scaled", dtype=np.float32):
        c = image_shape(input_shape)[0]
        k, f = self.size, self.filters
        rng = np.random.default_rng() if rng is None else rng
        scale = init_scale(c * k * k, f * k * k, init)  # fan-in, fan-out
        self.w = (rng.standard_normal((f, c, k, k)) * scale).astype(dtype)
        self.b = (rng.standard_normal(f) if init == "normal" else np.zeros(f)).astype(dtype)
        self.nabla_w = np.zeros_like(self.w)
        self.nabla_b = np.zeros_like(self.b)

    def adopt(self, params):
        w, b = params
        self.w, self.b = w.copy(), b.copy()
        self.nabla_w = np.zeros_like(self.w)
        self.nabla_b = np.zeros_like(self.b)

    def params(self):
        return [self.w, self.b]

    def grads(self):
        return [self.nabla_w, self.nabla_b]

    def decayed(self):
        return [self.w]

    def _padded(self, x: np.ndarray) -> np.ndarray:
        """The channels-last input with 'same' padding's zeros around it."""
        if self.padding != "same":
            return x
        n, h, w, c = x.shape
        (top, bottom), (left, right) = (same_padding(h, self.size, self.stride),
                                        same_padding(w, self.size, self.stride))
        if not (top or bottom or left or right):
            return x
        xp = np.zeros((n, h + top + bottom, w + left + right, c), dtype=x.dtype)
        xp[:, top:top + h, left:left + w] = x
        return xp

    def forward(self, x, train=False):
        """x: (n, C, H, W) or (n, H, W) -> (n, filters, H', W')."""
        xc = _channels_last(x)
        n, h, w, c = xc.shape
        ho, wo = self._sides(h, w)
        xp = self._padded(xc)
        wmat = self._weight_matrix(c)
        # a training step's im2col matrix is reused by the next one; an evaluation's is
        # its own (an evaluation chunk is far larger than a mini-batch)
        col, out = self._product(xp, ho, wo, wmat, self._scratch.get if train else _fresh)
        self._col, self._wmat = col, wmat
        self._geometry = (x.ndim == 3, n, h, w, c, xp.shape[1], xp.shape[2], ho, wo)
        return out.reshape(n, ho, wo, self.filters).transpose(0, 3, 1, 2)

    def _weight_matrix(self, c: int) -> np.ndarray:
        """(filters, k * k * c + 1): each filter's weights in the im2col order (kernel
        row, kernel column, channel), then its bias."""
        f, k = self.filters, self.size
        wmat = np.empty((f, k * k * c + 1), dtype=self.w.dtype)
        wmat[:, :-1].reshape(f, k, k, c)[...] = self.w.transpose(0, 2, 3, 1)
        wmat[:, -1] = self.b
        return wmat

    def _product(self, xp: np.ndarray, ho: int, wo: int, wmat: np.ndarray, get):
        """(im2col matrix, im2col matrix @ wmat.T). The matrix: (output pixels,
        k * k * channels + 1), each row one window of the padded channels-last input in
        (kernel row, kernel column, channel) order, then a 1 (for the bias); ``get(name,
        shape, dtype)`` gives the array it is written into. Several channels: written and
        multiplied a block of samples at a time (``sample_blocks``), each block still in
        cache when it is multiplied."""
        n, _, _, c = xp.shape
        k, s = self.size, self.stride
        pixels, width = n * ho * wo, k * k * c
        blocks = sample_blocks(n, ho * wo * (width + 1) * xp.itemsize)
        if c == 1:  # one strided copy per kernel offset into a column-major matrix
            by_offset = get("col", (width + 1, pixels), xp.dtype)
            rows, cols = s * (ho - 1) + 1, s * (wo - 1) + 1
            if block_workers() == 1:
                blocks = [(0, n)]  # on one thread, one copy per offset is faster
            out = np.empty((pixels, self.filters), dtype=xp.dtype)
            per = ho * wo

            def fill_by_offset(t, mine):
                for a, b in mine:
                    part = by_offset[:, a * per:b * per]
                    for i in range(k):
                        for j in range(k):
                            part[i * k + j].reshape(b - a, ho, wo)[...] = (
                                xp[a:b, i:i + rows:s, j:j + cols:s, 0])
                    part[width] = 1.0
                    np.matmul(part.T, wmat.T, out=out[a * per:b * per])

            _spread(blocks, fill_by_offset)
            return by_offset.T, out
        col = get("col", (n, ho, wo, width + 1), xp.dtype)
        out = np.empty((n, ho, wo, self.filters), dtype=xp.dtype)
        windows = sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::s, ::s].transpose(
            0, 1, 2, 4, 5, 3)

        def fill(t, mine):
            for a, b in mine:
                part = col[a:b]
                part[..., :width].reshape(b - a, ho, wo, k, k, c)[...] = windows[a:b]
                part[..., width] = 1.0
                np.matmul(part.reshape(-1, width + 1), wmat.T,
                          out=out[a:b].reshape(-1, self.filters))

        _spread(blocks, fill)
        return col.reshape(pixels, width + 1), out

    def backward(self, delta, need_input_grad=True):
        """delta: (n, filters, H', W') -> dLoss/dx shaped like x; fills nabla_w, nabla_b."""
        two_d, n, h, w, c, hp, wp, ho, wo = self._geometry
        k, s, f = self.size, self.stride, self.filters
        width = k * k * c
        d = delta.transpose(0, 2, 3, 1).reshape(n * ho * wo, f)
        col = self._col
        per_sample = ho * wo
        blocks = sample_blocks(n, per_sample * width * d.itemsize)
        dxp = np.zeros((n, hp, wp, c), dtype=d.dtype) if need_input_grad else None
        threaded = min(block_workers(), len(blocks)) > 1

        def gradient(rows: slice) -> np.ndarray:
            """(filters, k * k * c + 1) over ``rows`` of col, the biases' gradient last
            (from the ones column); a column-major col is faster as the left factor."""
            part, dpart = col[rows], d[rows]
            return (part.T @ dpart).T if col.flags.f_contiguous else dpart.T @ part

        def work(t, mine):
            g = None
            for a, b in mine:
                rows = slice(a * per_sample, b * per_sample)
                if threaded:  # this worker's share of the weights' gradient
                    part = gradient(rows)
                    g = part if g is None else np.add(g, part, out=g)
                if dxp is not None:
                    dcol = self._scratch.get(f"dcol{t}", ((b - a) * per_sample, width),
                                             d.dtype)
                    np.matmul(d[rows], self._wmat[:, :width], out=dcol)
                    self._col2im(dcol.reshape(b - a, ho, wo, k, k, c), dxp[a:b], t)
            return g

        if threaded:
            partial = _spread(blocks, work)
            g = partial[0]
            for part in partial[1:]:
                if part is not None:
                    g += part
        else:
            g = gradient(slice(None))
        self.nabla_w[...] = g[:, :width].reshape(f, k, k, c).transpose(0, 3, 1, 2)
        self.nabla_b[...] = g[:, width]
        if dxp is None:
            return None
        if not threaded:
            work(0, blocks)
        top = left = 0
        if self.padding == "same":
            top, left = same_padding(h, k, s)[0], same_padding(w, k, s)[0]
        return _like_input(dxp[:, top:top + h, left:left + w], two_d)

    def _col2im(self, dcol: np.ndarray, dxp: np.ndarray, worker: int = 0) -> None:
        """Add each window's gradient ``dcol`` (m, H', W', k, k, c) onto the padded
        input's ``dxp`` (m, Hp, Wp, c), in two passes: each kernel row onto the image
        rows it covered (the window's columns still apart), then each kernel column
        onto the columns."""
        m, ho, wo, k, _, c = dcol.shape
        s = self.stride
        rows, cols = s * (ho - 1) + 1, s * (wo - 1) + 1
        by_row = self._scratch.get(f"by_row{worker}", (m, dxp.shape[1], wo, k, c), dcol.dtype)
        by_row.fill(0)
        for i in range(k):
            by_row[:, i:i + rows:s] += dcol[:, :, :, i]
        for j in range(k):
            dxp[:, :, j:j + cols:s] += by_row[:, :, :, j]

    def spec(self):
        return {"type": "Conv2D", "filters": self.filters, "size": self.size,
                "stride": self.stride, "padding": self.padding}

    def __repr__(self):
        extra = (f", stride {self.stride}" if self.stride != 1 else "") + (
            ", same" if self.padding == "same" else "")
        return f"Conv2D({self.filters}@{self.size}x{self.size}{extra})"


class _Pool(Layer):
    """Non-overlapping ``size`` x ``size`` windows (stride = size) over each channel.

    When the height or width is not a multiple of ``size``, the last rows or columns
    that do not fill a window are dropped (their gradient is 0). A 2-D input stays 2-D.
    """

    def __init__(self, size: int = DEFAULT_POOL):
        self.size = int(size)

    def output_shape(self, input_shape):
        *lead, h, w = input_shape
        return (*lead, h // self.size, w // self.size)

    def _windows(self, x: np.ndarray) -> list[np.ndarray]:
        """For each of the size * size offsets in a window (row-major), the input
        values there: (n, H', W', C) strided views of the channels-last input."""
        n, h, w, c = x.shape
        p = self.size
        ho, wo = h // p, w // p
        return [x[:, i:ho * p:p, j:wo * p:p] for i in range(p) for j in range(p)]

    def forward(self, x, train=False):
        xc = _channels_last(x)
        self._shape, self._two_d = xc.shape, x.ndim == 3
        return _like_input(self._pool(self._windows(xc)), self._two_d)

    def _gradient(self, fill, dtype) -> np.ndarray:
        """The gradient of the input, shaped like it: ``fill(k, slot)`` writes offset
        k's part into ``slot``; zero where no window reached."""
        n, h, w, c = self._shape
        p = self.size
        covered = h % p == 0 and w % p == 0
        dx = (np.empty if covered else np.zeros)(self._shape, dtype=dtype)
        slots = self._windows(dx)

        def work(t, mine):
            for a, b in mine:
                for k, slot in enumerate(slots):
                    fill(k, slot[a:b], slice(a, b))

        _spread(self._blocks(n, dx.itemsize), work)
        return _like_input(dx, self._two_d)

    def _blocks(self, n: int, itemsize: int) -> list[tuple[int, int]]:
        """The blocks of samples split between the block workers (one block when there
        is one worker)."""
        if block_workers() == 1:
            return [(0, n)]
        return sample_blocks(n, math.prod(self._shape[1:]) * itemsize)

    def spec(self):
        return {"type": type(self).__name__, "size": self.size}

    def __repr__(self):
        return f"{type(self).__name__}({self.size})"


class MaxPool2D(_Pool):
    """The largest value of each window. Backward routes each window's gradient to its
    largest value (where several are equal, to the first in row-major order): which
    offset that is, is found in the forward pass, while the input is still in cache,
    and kept as one boolean mask per offset (as many booleans as input values)."""

    def scratch_bytes(self, input_shape, itemsize=4):
        """The masks: one boolean per input value that a window covers."""
        return math.prod(self.output_shape(input_shape)) * self.size * self.size

    def _pool(self, windows):
        out = np.empty(windows[0].shape, dtype=windows[0].dtype)
        self._masks = masks = np.empty((len(windows), *out.shape), dtype=bool)

        def work(t, mine):
            for a, b in mine:
                self._max_of([part[a:b] for part in windows], out[a:b], masks[:, a:b])

        _spread(self._blocks(len(out), out.itemsize), work)
        return out

    @staticmethod
    def _max_of(windows, out, masks) -> None:
        """The windows' largest values into ``out``, and which offset holds each (the
        first of equal ones) into ``masks``."""
        if len(windows) > 1:
            np.maximum(windows[0], windows[1], out=out)
        else:
            np.copyto(out, windows[0])
        for part in windows[2:]:
            np.maximum(out, part, out=out)
        np.equal(windows[0], out, out=masks[0])
        taken = masks[0].copy()  # windows whose maximum was found
        for k in range(1, len(windows)):
            hit = masks[k]
            np.equal(windows[k], out, out=hit)
            np.greater(hit, taken, out=hit)  # hit and not taken: a tie's first maximum
            if k < len(windows) - 1:
                taken |= hit

    def backward(self, delta, need_input_grad=True):
        if not need_input_grad:
            return None
        d, masks = _channels_last(delta), self._masks
        return self._gradient(
            lambda k, slot, rows: np.multiply(d[rows], masks[k, rows], out=slot), d.dtype)


class AvgPool2D(_Pool):
    """The mean of each window; backward spreads each window's gradient evenly."""

    def _pool(self, windows):
        out = windows[0].copy()
        for part in windows[1:]:
            out += part
        out *= 1.0 / len(windows)
        return out

    def backward(self, delta, need_input_grad=True):
        if not need_input_grad:
            return None
        share = _channels_last(delta) * (1.0 / (self.size * self.size))
        return self._gradient(lambda k, slot, rows: np.copyto(slot, share[rows]),
                              share.dtype)


CONV_TYPES = (Conv2D, MaxPool2D, AvgPool2D)
#: the layers that need an image (2-D or 3-D sample shape) as input
SPATIAL = tuple(cls.__name__ for cls in CONV_TYPES)
