# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Linear-chain CRF inference on a crfsuite model, with crfsuite's results to the last bit.

Why: both quotation taggers are crfsuite models.  The attribution tagger tags a
window of sentences around every quotation, and the windows overlap: through
pycrfsuite every window's tokens are sent again as strings, looked up again and
scored again.  Here the scores of a token's base features are summed once per
article (``CRF.scores``), and each window only adds its own features to them
(``CRF.extend``).  Features are read from the same dicts training gives crfsuite
(``{name: string value or weight}``), looked up by name and value without
building crfsuite's ``name:value`` strings.

Exactness: every number is formed in the order crfsuite forms it (crfsuite 0.12,
``crf1d_tag.c`` and ``crf1d_context.c``, BSD licence; this is quotetrail's own code,
MIT): a label's state score is 0 plus each attribute's weight times its value, in
the order the attributes are given (so a base sum continued by a window's
attributes is the same sum; an attribute of value 0 adds nothing and is passed
over); Viterbi keeps the first of equal scores; marginals come from crfsuite's
scaled forward-backward on ``exp`` of the scores.  Labels and marginal
probabilities are therefore identical to pycrfsuite's (``tests/test_crf.py``).
The module is built with ``-ffp-contract=off`` so that no product and sum are
fused into one rounding, which crfsuite's build does not do either.
"""

from libc.math cimport exp
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy

cdef double _FLOAT_MAX = 1.7976931348623157e308  # crfsuite's FLOAT_MAX (DBL_MAX)


cdef class CRF:
    """A crfsuite model's weights: state features by attribute, and transitions."""

    cdef readonly tuple labels
    cdef dict _label_ids
    cdef dict _attributes
    cdef dict _by_name
    cdef int L
    cdef int *_start
    cdef int *_label
    cdef double *_weight
    cdef double *_trans
    cdef double *_exp_trans  # pointers start NULL: Cython zeroes a new object's memory

    def __init__(self, labels, dict attributes, starts, features_label, features_weight, transitions):
        """``attributes`` maps crfsuite's attribute strings to ids; the state features of
        attribute ``a`` are ``features_label[starts[a]:starts[a + 1]]`` with their weights;
        ``transitions`` holds L × L weights, row = previous label."""
        cdef const int[:] s = starts
        cdef const int[:] fl = features_label
        cdef const double[:] fw = features_weight
        cdef const double[:] tr = transitions
        cdef Py_ssize_t i
        self.labels = tuple(labels)
        self.L = len(self.labels)
        self._label_ids = {label: i for i, label in enumerate(self.labels)}
        self._attributes = attributes
        # a feature with a string value is the attribute "name:value"; names may hold ":" too
        # ("-1:w"), so every split of an attribute string at a ":" is indexed: name -> value -> id
        self._by_name = {}
        for attribute, a in attributes.items():
            colon = attribute.find(":")
            while colon >= 0:
                self._by_name.setdefault(attribute[:colon], {})[attribute[colon + 1 :]] = a
                colon = attribute.find(":", colon + 1)
        if tr.shape[0] != self.L * self.L or s.shape[0] != len(attributes) + 1 or fl.shape[0] != fw.shape[0]:
            raise ValueError("inconsistent CRF arrays")
        self._start = <int *>malloc(s.shape[0] * sizeof(int))
        self._label = <int *>malloc(max(1, fl.shape[0]) * sizeof(int))
        self._weight = <double *>malloc(max(1, fw.shape[0]) * sizeof(double))
        self._trans = <double *>malloc(self.L * self.L * sizeof(double))
        self._exp_trans = <double *>malloc(self.L * self.L * sizeof(double))
        if not (self._start and self._label and self._weight and self._trans and self._exp_trans):
            raise MemoryError()
        for i in range(s.shape[0]):
            self._start[i] = s[i]
        for i in range(fl.shape[0]):
            if not 0 <= fl[i] < self.L:
                raise ValueError("state feature with an unknown label")
            self._label[i] = fl[i]
            self._weight[i] = fw[i]
        for i in range(self.L * self.L):
            self._trans[i] = tr[i]
            self._exp_trans[i] = exp(tr[i])

    def __dealloc__(self):
        free(self._start)
        free(self._label)
        free(self._weight)
        free(self._trans)
        free(self._exp_trans)

    cdef void _add(self, double *row, dict features) except *:
        """Add the weighted scores of the known attributes among ``features`` to ``row``, in their order."""
        cdef object found, values
        cdef double value
        cdef int a, k
        for name, given in features.items():
            if type(given) is str:
                values = self._by_name.get(name)
                if values is None:
                    continue
                found = (<dict>values).get(given)
                value = 1.0
            else:
                value = given
                if value == 0.0:
                    continue
                found = self._attributes.get(name)
            if found is None:
                continue
            a = found
            for k in range(self._start[a], self._start[a + 1]):
                row[self._label[k]] += self._weight[k] * value

    def scores(self, list items):
        """The state scores of a sequence whose tokens have the features ``items`` (one dict each)."""
        cdef Scores out = Scores._new(self, len(items))
        cdef Py_ssize_t t
        for t in range(len(items)):
            self._add(out.state + t * self.L, items[t])
        return out

    def extend(self, Scores base, int start, list items):
        """Tokens ``start`` to ``start + len(items)`` of ``base``, each with the features in ``items``
        added after its own: the scores crfsuite gives a token with the features of both, in that order."""
        cdef Py_ssize_t T = len(items), t
        if start < 0 or start + T > base.T or base.crf is not self:
            raise IndexError("window outside the base sequence")
        cdef Scores out = Scores._new(self, T)
        if T:
            memcpy(out.state, base.state + start * self.L, T * self.L * sizeof(double))
        for t in range(T):
            self._add(out.state + t * self.L, items[t])
        return out


cdef class Scores:
    """A sequence's state scores under one CRF: its best labels and its marginal probabilities."""

    cdef CRF crf
    cdef readonly Py_ssize_t T
    cdef double *state
    cdef double *alpha
    cdef double *beta
    cdef double *scale

    @staticmethod
    cdef Scores _new(CRF crf, Py_ssize_t T):
        cdef Scores s = Scores.__new__(Scores)
        s.crf = crf
        s.T = T
        s.state = <double *>calloc(max(1, T * crf.L), sizeof(double))
        if s.state == NULL:
            raise MemoryError()
        return s

    def __dealloc__(self):
        free(self.state)
        free(self.alpha)
        free(self.beta)
        free(self.scale)

    def __len__(self):
        return self.T

    def tag(self):
        """The Viterbi labels (crfsuite's ``crf1dc_viterbi``: the first of equal scores wins)."""
        cdef int L = self.crf.L, i, j, best_i
        cdef Py_ssize_t t, T = self.T
        cdef double best, score
        cdef double *trans = self.crf._trans
        if T == 0:
            return []
        cdef double *delta = <double *>malloc(T * L * sizeof(double))
        cdef int *back = <int *>malloc(T * L * sizeof(int))
        cdef int *path = <int *>malloc(T * sizeof(int))
        if delta == NULL or back == NULL or path == NULL:
            free(delta)
            free(back)
            free(path)
            raise MemoryError()
        try:
            for j in range(L):
                delta[j] = self.state[j]
            for t in range(1, T):
                for j in range(L):
                    best = -_FLOAT_MAX
                    best_i = -1
                    for i in range(L):
                        score = delta[(t - 1) * L + i] + trans[i * L + j]
                        if best < score:
                            best = score
                            best_i = i
                    back[t * L + j] = best_i if best_i >= 0 else 0
                    delta[t * L + j] = best + self.state[t * L + j]
            best = -_FLOAT_MAX
            path[T - 1] = 0
            for i in range(L):
                if best < delta[(T - 1) * L + i]:
                    best = delta[(T - 1) * L + i]
                    path[T - 1] = i
            for t in range(T - 2, -1, -1):
                path[t] = back[(t + 1) * L + path[t + 1]]
            labels = self.crf.labels
            return [labels[path[t]] for t in range(T)]
        finally:
            free(delta)
            free(back)
            free(path)

    cdef int _forward_backward(self) except -1:
        """crfsuite's scaled forward-backward (``crf1dc_alpha_score``, ``crf1dc_beta_score``)."""
        cdef int L = self.crf.L, i, j
        cdef Py_ssize_t t, T = self.T
        cdef double total, dot
        cdef double *et = self.crf._exp_trans
        cdef double *cur
        cdef double *prev
        cdef double *nxt
        if self.alpha != NULL or T == 0:
            return 0
        cdef double *es = <double *>malloc(T * L * sizeof(double))
        cdef double *row = <double *>malloc(L * sizeof(double))
        self.alpha = <double *>malloc(T * L * sizeof(double))
        self.beta = <double *>malloc(T * L * sizeof(double))
        self.scale = <double *>malloc(T * sizeof(double))
        if es == NULL or row == NULL or self.alpha == NULL or self.beta == NULL or self.scale == NULL:
            free(es)
            free(row)
            raise MemoryError()
        for i in range(T * L):
            es[i] = exp(self.state[i])
        # forward: alpha[t][j] = es[t][j] * sum_i alpha[t-1][i] * et[i][j], scaled to sum 1
        for t in range(T):
            cur = self.alpha + t * L
            if t == 0:
                for j in range(L):
                    cur[j] = es[j]
            else:
                prev = self.alpha + (t - 1) * L
                for j in range(L):
                    cur[j] = 0.0
                for i in range(L):
                    for j in range(L):
                        cur[j] += prev[i] * et[i * L + j]
                for j in range(L):
                    cur[j] *= es[t * L + j]
            total = 0.0
            for j in range(L):
                total += cur[j]
            self.scale[t] = 1.0 / total if total != 0.0 else 1.0
            for j in range(L):
                cur[j] *= self.scale[t]
        # backward, with the same scale factors
        cur = self.beta + (T - 1) * L
        for j in range(L):
            cur[j] = self.scale[T - 1]
        for t in range(T - 2, -1, -1):
            cur = self.beta + t * L
            nxt = self.beta + (t + 1) * L
            for j in range(L):
                row[j] = nxt[j] * es[(t + 1) * L + j]
            for i in range(L):
                dot = 0.0
                for j in range(L):
                    dot += et[i * L + j] * row[j]
                cur[i] = dot
            for i in range(L):
                cur[i] *= self.scale[t]
        free(es)
        free(row)
        return 0

    def marginals(self, str label):
        """Every token's marginal probability of ``label`` (crfsuite's ``crf1dc_marginal_point``)."""
        cdef int L = self.crf.L, l
        cdef Py_ssize_t t
        l = self.crf._label_ids[label]
        self._forward_backward()
        return [self.alpha[t * L + l] * self.beta[t * L + l] / self.scale[t] for t in range(self.T)]
