# SPDX-License-Identifier: LGPL-3.0-or-later
# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
# This module re-implements the word and sentence searches of HanTa's HanoverTagger (HanTa 1.2.1,
# Copyright Christian Wartena, LGPL-3.0) and is therefore licensed under the
# LGPL-3.0-or-later, unlike the rest of quotetrail (MIT).  See README, "Dependencies
# and licences".
"""HanTa's searches compiled, with the same results as ``quotetrail.morphology``.

``MorphemeSearch`` runs the morpheme search (``FastHanoverTagger._search``) and, on its
table, the forward analysis of a word (``forward``) and its lemma path (``path``);
``SentenceSearch`` runs the sentence tagger (``tag_sent_viterbi``).

Why: analysing word forms never seen before is the largest single cost of ingest,
and nearly all of it is the innermost loop of the morpheme search (every split of
the word, every live state, every tag that may follow), which in Python costs
tens of nanoseconds per step.  Here that loop runs on C arrays.  Everything else
(which tags may follow a state, HanTa's guess for unseen morphemes) is worked
out by ``FastHanoverTagger`` in Python, once per state or suffix, and cached.

States ``(previous tag, tag)`` are coded as ``(previous + 128) * 256 + (tag + 128)``;
HanTa's German model has tags from -117 to 122.  A row of the search table is an
array of states in the order they were first reached, like HanTa's dicts, and
every sum is formed in HanTa's order, so tables, tie-breaks and floating-point
results are identical (``tests/test_morphology.py``).

If a row would need more than ``_CAP`` states (never seen on news), each method
returns ``None`` and the caller uses the Python code.
"""

from cpython.bytearray cimport PyByteArray_AS_STRING
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.math cimport INFINITY, exp, log1p
from libc.stdlib cimport free, malloc

from HanTa.HanoverTagger import END, UNKNOWN

import array

cdef enum:
    _CAP = 256  # states per row
    _NTAGS = 256  # tag codes
    _MAXOUT = 512  # candidate tags per state and morpheme

cdef double _LOWERBOUND = -1e6
cdef double _LOGE2 = 0.693147180559945309417232121458176568  # numpy's NPY_LOGE2


cdef inline double _logaddexp(double x, double y) noexcept:
    """numpy's npy_logaddexp, step for step."""
    cdef double tmp
    if x == y:
        return x + _LOGE2
    tmp = x - y
    if tmp > 0:
        return x + log1p(exp(-tmp))
    elif tmp <= 0:
        return y + log1p(exp(tmp))
    return tmp


def _score(item):
    return item[1]


cdef inline int _offer(int *codes, double *lps, int *count, int code, double lp) noexcept:
    """Keep score ``lp`` for state ``code`` in a row if the state is new there or ``lp`` beats its
    score, as HanTa updates its row dicts (states stay in the order first reached): the state's
    place, -1 if ``lp`` was no better, -2 if the row is full."""
    cdef int t = 0, n = count[0]
    while t < n and codes[t] != code:
        t += 1
    if t == n:
        if n == _CAP:
            return -2
        codes[t] = code
        lps[t] = lp
        count[0] = n + 1
        return t
    if lp > lps[t]:
        lps[t] = lp
        return t
    return -1


cdef inline double _beam_bound(const double *lps, int n, int keep) noexcept:
    """HanTa's beam: states scoring more than 1 below the ``keep``-th best of a row (``keep`` <= 6) are
    not continued; a row of fewer than ``keep`` states keeps them all."""
    cdef double top[6]
    cdef int s, t
    if n < keep:
        return _LOWERBOUND
    for t in range(keep):
        top[t] = -1e308
    for s in range(n):
        if lps[s] > top[keep - 1]:
            t = keep - 1
            while t > 0 and lps[s] > top[t - 1]:
                top[t] = top[t - 1]
                t -= 1
            top[t] = lps[s]
    return top[keep - 1] - 1
cdef double _WHOLE_WORD_PENALTY = 4.6


cdef inline int _tix(object tag):
    return <int>tag + 128


cdef object _state_tuple(list kept, int code):
    """The ``(previous tag, tag)`` tuple of a state code, kept in ``kept`` so equal states share one tuple."""
    found = kept[code]
    if found is None:
        found = (code // _NTAGS - 128, code % _NTAGS - 128)
        kept[code] = found
    return found


cdef class _Rows:
    """The rows of a search table: per row up to ``_CAP`` states (codes), their scores, and where
    each came from (state code and row; the sentence search keeps the place in the previous row)."""

    cdef int *codes
    cdef double *lps
    cdef int *back_code
    cdef int *back_row
    cdef int *counts

    def __cinit__(self, int nrows):
        self.codes = <int *>malloc(nrows * _CAP * sizeof(int))
        self.lps = <double *>malloc(nrows * _CAP * sizeof(double))
        self.back_code = <int *>malloc(nrows * _CAP * sizeof(int))
        self.back_row = <int *>malloc(nrows * _CAP * sizeof(int))
        self.counts = <int *>malloc(nrows * sizeof(int))
        if not self.codes or not self.lps or not self.back_code or not self.back_row or not self.counts:
            raise MemoryError()

    def __dealloc__(self):
        free(self.codes)
        free(self.lps)
        free(self.back_code)
        free(self.back_row)
        free(self.counts)


cdef class _Follow:
    """The tags that may follow one state, on C arrays (see ``morphology._Follow``)."""

    cdef int n_open
    cdef int open_k[_NTAGS]
    cdef int open_tix[_NTAGS]
    cdef int open_ord[_NTAGS]  # the tag's place among the model's open tags (suffix scores)
    cdef double open_lpt[_NTAGS]
    cdef int n_closed
    cdef int closed_k[_NTAGS]  # by tag + 128; -1 if the tag does not follow
    cdef double closed_lpt[_NTAGS]


cdef class MorphemeSearch:
    """The morpheme search of one ``FastHanoverTagger``, on C arrays built from its tables."""

    cdef object tagger
    cdef dict known_at  # morpheme -> first index into known_tix / known_lp
    cdef int *known_tix
    cdef double *known_lp
    cdef int *known_n  # entries per morpheme, by first index
    cdef int n_known
    cdef list open_tags  # the model's open tags, in a fixed order
    cdef dict open_ord
    cdef double open_base[_NTAGS][25]
    cdef dict follows
    cdef dict suffix_long  # last 4 letters of a morpheme of 5 or more -> packed doubles per open tag
    cdef dict suffix_short  # a morpheme of up to 4 letters -> packed doubles per open tag
    cdef list state_tuples
    cdef dict final_transitions  # state code -> packed (tag, log p(tag|state)) at the end of a word
    cdef dict finals  # state code, target POS -> log p(target POS|state) at the end of a word, or None
    cdef bytes unknown_suffixes  # a NaN per open tag
    cdef list suffix_tables  # per open tag, HanTa's log p(suffix|tag)

    def __cinit__(self):
        self.known_tix = NULL
        self.known_lp = NULL
        self.known_n = NULL

    def __init__(self, tagger):
        cdef int total = 0, k = 0, start
        cdef dict known = tagger._known
        self.tagger = tagger
        for tags in known.values():
            total += len(tags)
        self.known_tix = <int *>malloc(total * sizeof(int))
        self.known_lp = <double *>malloc(total * sizeof(double))
        self.known_n = <int *>malloc(total * sizeof(int))
        if not self.known_tix or not self.known_lp or not self.known_n:
            raise MemoryError()
        self.known_at = {}
        for morpheme, tags in known.items():
            start = k
            self.known_at[morpheme] = start
            for tag, lp in tags.items():
                if not -128 < tag < 128:
                    raise ValueError(f"tag {tag} outside the range the compiled search codes")
                self.known_tix[k] = _tix(tag)
                self.known_lp[k] = lp
                k += 1
            self.known_n[start] = k - start
        self.n_known = k
        self.open_tags = sorted(tagger._open)
        self.unknown_suffixes = array.array("d", [float("nan")] * len(self.open_tags)).tobytes()
        self.suffix_tables = [tagger.LP_s_t[tag] for tag in self.open_tags]
        self.open_ord = {tag: n for n, tag in enumerate(self.open_tags)}
        for tag, terms in tagger._open.items():
            for n in range(25):
                self.open_base[_tix(tag)][n] = terms[n]
        self.follows = {}
        self.finals = {}
        self.final_transitions = {}
        self.suffix_long = {}
        self.suffix_short = {}
        self.state_tuples = [None] * (_NTAGS * _NTAGS)

    def __dealloc__(self):
        free(self.known_tix)
        free(self.known_lp)
        free(self.known_n)

    cdef object _state(self, int code):
        return _state_tuple(self.state_tuples, code)

    cdef _Follow _follow(self, int code, object targetpos):
        key = code * 1024 + (1023 if targetpos is None else <int>targetpos + 512)
        cdef _Follow f
        cdef int n = 0
        found = self.follows.get(key)
        if found is not None:
            return <_Follow>found
        follow = self.tagger._follow(self._state(code), targetpos)
        f = _Follow()
        for place, tag, lp in follow.open:
            f.open_k[n] = place
            f.open_tix[n] = _tix(tag)
            f.open_ord[n] = self.open_ord[tag]
            f.open_lpt[n] = lp
            n += 1
        f.n_open = n
        for n in range(_NTAGS):
            f.closed_k[n] = -1
        for tag, (place, lp) in follow.closed.items():
            f.closed_k[_tix(tag)] = place
            f.closed_lpt[_tix(tag)] = lp
        f.n_closed = len(follow.closed)
        self.follows[key] = f
        return f

    cdef double _suffix_lp(self, int ord, str m) except? -1:
        """``FastHanoverTagger._suffix_lp`` for the open tag at ``ord``: log p of the longest suffix of
        ``m`` (up to 4 letters, shorter than ``m``) that the tag knows."""
        cdef dict suffixes = <dict>self.suffix_tables[ord]
        cdef Py_ssize_t mlen = len(m), n
        for n in range(4, 0, -1):
            if mlen > n:
                found = suffixes.get(m[mlen - n:])
                if found is not None:
                    return <double>found
        return <double>suffixes[""]

    cdef bytearray _suffixes(self, str m):
        """Per open tag, log p(suffix|tag) of ``m`` as HanTa's guess uses it, NaN until asked for
        (it depends on the last 4 letters only, so morphemes share it)."""
        cdef dict cache
        cdef str key
        if len(m) >= 5:
            cache, key = self.suffix_long, m[len(m) - 4:]
        else:
            cache, key = self.suffix_short, m
        found = cache.get(key)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[key] = bytearray(self.unknown_suffixes)
        return <bytearray>found

    def search(self, str word, bint strict, object targetpos):
        """HanTa's search table of ``word`` and its back-pointers, as ``FastHanoverTagger._search`` gives
        them (lists of dicts), or ``None`` if a row overflows: for comparing the two searches."""
        cdef int wlen = len(word)
        cdef int nrows = wlen + 1
        cdef _Rows t = _Rows(nrows)
        if not self._fill(word, wlen, strict, targetpos, t.codes, t.lps, t.back_code, t.back_row, t.counts):
            return None
        return self._tables(wlen, t.codes, t.lps, t.back_code, t.back_row, t.counts)

    def forward(self, str word):
        """``FastHanoverTagger.analyze_forward``: log p of each POS tag for ``word``, likeliest first, or
        ``None`` where it needs the Python code (a row overflows, no tag reaches the end).

        Scores of one POS reached by several paths are added with numpy's ``logaddexp`` formula on
        the C library's ``exp`` and ``log1p`` (which numpy calls too), in the same order.
        """
        cdef int wlen = len(word)
        cdef int nrows = wlen + 1
        cdef _Rows t = _Rows(nrows)
        if not self._fill(word, wlen, self.tagger.strict, None, t.codes, t.lps, t.back_code, t.back_row, t.counts):
            return None
        return self._forward(wlen, t.codes, t.lps, t.counts)

    cdef object _forward(self, int wlen, int *codes, double *lps, int *counts):
        cdef int s, t, k, n_final = 0, n_pos = 0, code, newcode, nt, pos
        cdef double lp, lp1
        cdef int final_codes[_CAP]
        cdef double final_lps[_CAP]
        cdef int pos_tags[_CAP]
        cdef double pos_lps[_CAP]
        cdef const double *trans
        cdef bytes packed
        for s in range(counts[wlen]):
            code = codes[wlen * _CAP + s]
            lp = lps[wlen * _CAP + s]
            found = self.final_transitions.get(code)
            if found is None:
                found = self.final_transitions[code] = array.array(
                    "d", [x for tag1, lpt in self.tagger.LP_trans_final.get(self._state(code), []) for x in (tag1, lpt)]
                ).tobytes()
            packed = <bytes>found
            trans = <const double *>PyBytes_AS_STRING(packed)
            nt = len(packed) // (2 * sizeof(double))
            for k in range(nt):
                lp1 = lp + trans[2 * k + 1]
                if lp1 > _LOWERBOUND:
                    newcode = (code % _NTAGS) * _NTAGS + (<int>trans[2 * k] + 128)
                    if _offer(final_codes, final_lps, &n_final, newcode, lp1) == -2:
                        return None
        for s in range(n_final):
            pos = -(final_codes[s] % _NTAGS - 128)
            t = 0
            while t < n_pos and pos_tags[t] != pos:
                t += 1
            if t == n_pos:
                pos_tags[t] = pos
                pos_lps[t] = final_lps[s]
                n_pos += 1
            else:
                pos_lps[t] = _logaddexp(pos_lps[t], final_lps[s])
        if not n_pos:
            return None
        results = [(pos_tags[t], pos_lps[t]) for t in range(n_pos)]
        results.sort(key=_score, reverse=True)
        return results

    def path(self, str word, object targetpos):
        """``FastHanoverTagger.analyze_viterbi``'s morpheme path of ``word`` ending in POS ``targetpos``, as
        ``(tag, end)`` pairs, or ``None`` where it needs the Python code (no path reaches the end, a row
        overflows).  Worked out on the arrays, without building the table as dicts."""
        cdef int wlen = len(word)
        cdef int nrows = wlen + 1
        cdef _Rows t = _Rows(nrows)
        return self._path(word, wlen, targetpos, t.codes, t.lps, t.back_code, t.back_row, t.counts)

    cdef object _path(self, str word, int wlen, object targetpos, int *codes, double *lps, int *back_code,
                      int *back_row, int *counts):
        cdef int s, t, n_final, code, row, entry
        cdef double lp1, best
        cdef int final_codes[_CAP]
        cdef double final_lps[_CAP]
        cdef int final_back[_CAP]
        cdef int target_tix = <int>targetpos + 128
        for localstrict in (True, False):
            if not self._fill(word, wlen, localstrict, targetpos, codes, lps, back_code, back_row, counts):
                return None
            n_final = 0
            for s in range(counts[wlen]):
                code = codes[wlen * _CAP + s]
                key = code * 1024 + (<int>targetpos + 512)
                lpt = self.finals.get(key, self)  # self: not looked up yet
                if lpt is self:
                    lpt = None
                    for tag1, lp_t in self.tagger.LP_trans_final.get(self._state(code), []):
                        if tag1 == targetpos:
                            lpt = lp_t
                            break
                    self.finals[key] = lpt
                if lpt is None:
                    continue
                lp1 = lps[wlen * _CAP + s] + <double>lpt
                if lp1 > _LOWERBOUND:
                    t = _offer(final_codes, final_lps, &n_final, (code % _NTAGS) * _NTAGS + target_tix, lp1)
                    if t >= 0:
                        final_back[t] = s
            if n_final:
                break
        if not n_final:
            return None
        best = -INFINITY
        t = -1
        for s in range(n_final):
            if final_lps[s] > best:
                best = final_lps[s]
                t = s
        # back from the end to the start state, which is left out
        path = [(final_codes[t] % _NTAGS - 128, wlen + 1)]
        row, entry = wlen, final_back[t]
        while row > 0:
            path.append((codes[row * _CAP + entry] % _NTAGS - 128, row))
            code, row = back_code[row * _CAP + entry], back_row[row * _CAP + entry]
            entry = 0
            while codes[row * _CAP + entry] != code:
                entry += 1
        path.reverse()
        return path

    cdef bint _fill(self, str word, int wlen, bint strict, object targetpos, int *codes, double *lps,
                    int *back_code, int *back_row, int *counts) except -1:
        cdef int i, j, n, s, e, t, mlen, length, nlive, nout, kn, start, tix, prev, row_n
        cdef double lp, lp1, lpm, lp_suf, bound
        cdef bint short = wlen < 4, guessable, whole, found_m
        cdef _Follow f
        cdef int live_code[_CAP]
        cdef double live_lp[_CAP]
        cdef list live_follows = [None] * _CAP
        cdef int out_k[_MAXOUT]
        cdef int out_tix[_MAXOUT]
        cdef double out_lpt[_MAXOUT]
        cdef double out_lpm[_MAXOUT]
        cdef int tk
        cdef bytearray suffix_bytes
        cdef double *suf
        cdef int *row_codes
        cdef double *row_lps

        for i in range(wlen + 1):
            counts[i] = 0
        codes[0] = 128 * _NTAGS + 129  # (EMPTY, START) = (0, 1)
        lps[0] = 0.0
        counts[0] = 1
        for i in range(wlen + 1):
            row_n = counts[i]
            if row_n == 0:
                continue
            row_codes = codes + i * _CAP
            row_lps = lps + i * _CAP
            bound = _beam_bound(row_lps, row_n, 4)
            nlive = 0
            for s in range(row_n):
                if row_lps[s] >= bound:
                    f = self._follow(row_codes[s], targetpos)
                    if f.n_open or f.n_closed:
                        live_code[nlive] = row_codes[s]
                        live_lp[nlive] = row_lps[s]
                        live_follows[nlive] = f
                        nlive += 1
            if nlive == 0:
                continue
            for j in range(i + 1, wlen + 1):
                m = word[i:j]
                mlen = j - i
                at = self.known_at.get(m)
                found_m = at is not None
                guessable = not strict and (short or mlen > 2)
                if not guessable and not found_m:
                    continue
                start = <int>at if found_m else 0
                kn = self.known_n[start] if found_m else 0
                if guessable:
                    suffix_bytes = self._suffixes(m)
                    suf = <double *>PyByteArray_AS_STRING(suffix_bytes)
                length = mlen if mlen < 24 else 24
                whole = mlen == wlen
                for s in range(nlive):
                    f = <_Follow>live_follows[s]
                    lp = live_lp[s]
                    prev = live_code[s] % _NTAGS
                    nout = 0
                    for n in range(f.n_open):
                        tix = f.open_tix[n]
                        e = 0
                        while e < kn and self.known_tix[start + e] != tix:
                            e += 1
                        if e < kn:
                            lpm = self.known_lp[start + e]
                        elif guessable:
                            lp_suf = suf[f.open_ord[n]]
                            if lp_suf != lp_suf:  # NaN: not worked out yet
                                lp_suf = suf[f.open_ord[n]] = self._suffix_lp(f.open_ord[n], m)
                            lpm = self.open_base[tix][length] + lp_suf
                            if whole:
                                lpm -= _WHOLE_WORD_PENALTY
                        else:
                            continue
                        out_k[nout] = f.open_k[n]
                        out_tix[nout] = tix
                        out_lpt[nout] = f.open_lpt[n]
                        out_lpm[nout] = lpm
                        nout += 1
                    if kn and f.n_closed:
                        for e in range(kn):
                            tix = self.known_tix[start + e]
                            if f.closed_k[tix] >= 0:
                                # in HanTa's order of followers: insert by place
                                tk = f.closed_k[tix]
                                t = nout
                                while t > 0 and out_k[t - 1] > tk:
                                    out_k[t] = out_k[t - 1]
                                    out_tix[t] = out_tix[t - 1]
                                    out_lpt[t] = out_lpt[t - 1]
                                    out_lpm[t] = out_lpm[t - 1]
                                    t -= 1
                                out_k[t] = tk
                                out_tix[t] = tix
                                out_lpt[t] = f.closed_lpt[tix]
                                out_lpm[t] = self.known_lp[start + e]
                                nout += 1
                    row_codes = codes + j * _CAP
                    row_lps = lps + j * _CAP
                    for n in range(nout):
                        lp1 = lp + out_lpt[n] + out_lpm[n]
                        if lp1 > _LOWERBOUND:
                            t = _offer(row_codes, row_lps, counts + j, prev * _NTAGS + out_tix[n], lp1)
                            if t == -2:
                                return False
                            if t >= 0:
                                back_code[j * _CAP + t] = live_code[s]
                                back_row[j * _CAP + t] = i
        return True

    cdef object _tables(self, int wlen, int *codes, double *lps, int *back_code, int *back_row, int *counts):
        cdef int i, s
        cdef dict row, back
        table = []
        backpointer = []
        for i in range(wlen + 1):
            row = {}
            back = {}
            for s in range(counts[i]):
                state = self._state(codes[i * _CAP + s])
                row[state] = lps[i * _CAP + s]
                if i:
                    back[state] = (self._state(back_code[i * _CAP + s]), back_row[i * _CAP + s])
            table.append(row)
            backpointer.append(back)
        table.append({})
        backpointer.append({})
        return table, backpointer


cdef class SentenceSearch:
    """HanTa's sentence tagger (``FastHanoverTagger.tag_sent_viterbi``) on C arrays, same results.

    Why: once word forms are known, the Viterbi search over a sentence's tags is most
    of what tagging costs.  The tags a word may take after a state, with their scores,
    are looked up by ``FastHanoverTagger._next_tags`` once per state and word score list,
    and kept here packed as doubles.
    """

    cdef object tagger
    cdef dict transitions  # state code << 18 | score id -> packed (tag, log p(tag|state), log p(word|tag))
    cdef dict score_ids
    cdef list state_tuples
    cdef dict final  # state code -> log p(END|state)
    cdef dict orders  # state code -> {tag: place among the tags that may follow the state}

    def __init__(self, tagger):
        self.tagger = tagger
        self.transitions = {}
        self.score_ids = {}
        self.state_tuples = [None] * (_NTAGS * _NTAGS)
        self.final = {}
        self.orders = {}

    cdef object _state(self, int code):
        return _state_tuple(self.state_tuples, code)

    cdef bytes _next_tags(self, int code, dict wprobs, bint anything):
        """``FastHanoverTagger._next_tags`` packed as doubles: (tag, log p(tag|state), log p(word|tag)) for
        each tag the word may have after the state, in HanTa's order."""
        cdef dict following = <dict>self.tagger.LP_trans_word[self._state(code)]
        cdef list found
        cdef bytes out
        cdef double *v
        cdef Py_ssize_t k = 0
        if anything:  # a word HanTa could not analyse: any tag, at no cost
            found = [(c, lp, 0.0) for c, lp in following.items() if c != END]
        else:
            order = self.orders.get(code)
            if order is None:
                order = self.orders[code] = {c: n for n, c in enumerate(following)}
            found = [(c, following[c], wprobs[c]) for _, c in sorted([(order[c], c) for c in wprobs if c in order and c != END])]
        out = PyBytes_FromStringAndSize(NULL, 3 * len(found) * sizeof(double))
        v = <double *>PyBytes_AS_STRING(out)
        for c, lp_tc, lpwc in found:
            v[k] = <double>c
            v[k + 1] = <double>lp_tc
            v[k + 2] = <double>lpwc
            k += 3
        return out

    def tag(self, list sent, bint casesensitive):
        """The tags of ``sent``, or ``None`` where the search needs HanTa's own code (a row overflows,
        or no state reaches the end)."""
        cdef int n = len(sent)
        if n == 0 or n > 100_000:
            return None
        cdef _Rows t = _Rows(n)
        return self._tag(sent, n, casesensitive, t.codes, t.lps, t.back_code, t.counts)

    cdef object _tag(self, list sent, int n, bint casesensitive, int *codes, double *lps, int *backs, int *counts):
        cdef int i, s, t, k, nt, prev_n, code
        cdef double lp0, lp, bound
        cdef int start_code = 128 * _NTAGS + 129  # (EMPTY, START)
        cdef double start_lp = 0.0
        cdef int *prev_codes
        cdef double *prev_lps
        cdef int *row_codes
        cdef double *row_lps
        cdef const double *trans
        cdef bytes packed
        cdef double best = -INFINITY
        cdef int best_s = -1
        anything = False
        tag_word = self.tagger._tag_word
        for i in range(n):
            scores = tuple(tag_word(sent[i], cutoff=5, casesensitive=i > 0 and casesensitive, conditional=True))
            score_id = self.score_ids.get(scores)
            if score_id is None:
                if len(self.score_ids) > 200_000:
                    self.score_ids.clear()
                    self.transitions.clear()
                score_id = self.score_ids[scores] = len(self.score_ids)
            wprobs = None
            if i == 0:
                prev_codes, prev_lps, prev_n = &start_code, &start_lp, 1
            else:
                prev_codes, prev_lps, prev_n = codes + (i - 1) * _CAP, lps + (i - 1) * _CAP, counts[i - 1]
            row_codes, row_lps = codes + i * _CAP, lps + i * _CAP
            counts[i] = 0
            bound = _beam_bound(prev_lps, prev_n, 6)
            for s in range(prev_n):
                lp0 = prev_lps[s]
                if lp0 < bound:
                    continue
                code = prev_codes[s]
                key = (<long long>code << 18) | <long long>score_id
                found = self.transitions.get(key)
                if found is None:
                    if wprobs is None:
                        wprobs = dict(scores)
                        anything = not wprobs or (len(wprobs) == 1 and UNKNOWN in wprobs)
                    if len(self.transitions) > 100_000:
                        self.transitions.clear()
                    found = self.transitions[key] = self._next_tags(code, wprobs, anything)
                packed = <bytes>found
                trans = <const double *>PyBytes_AS_STRING(packed)
                nt = len(packed) // (3 * sizeof(double))
                for k in range(nt):
                    lp = lp0 + trans[3 * k + 1] + trans[3 * k + 2]
                    if lp > _LOWERBOUND:
                        t = _offer(row_codes, row_lps, counts + i, (code % _NTAGS) * _NTAGS + (<int>trans[3 * k] + 128), lp)
                        if t == -2:
                            return None
                        if t >= 0:
                            backs[i * _CAP + t] = s
        # the end of the sentence: the first state with the best score
        row_codes, row_lps = codes + (n - 1) * _CAP, lps + (n - 1) * _CAP
        for s in range(counts[n - 1]):
            code = row_codes[s]
            end = self.final.get(code)
            if end is None:
                end = self.final[code] = self.tagger.LP_trans_word[self._state(code)].get(END, -INFINITY)
            lp = row_lps[s] + <double>end
            if lp > best:
                best = lp
                best_s = s
        if best_s < 0:
            return None
        tags = [0] * n
        s = best_s
        for i in range(n - 1, -1, -1):
            tags[i] = codes[i * _CAP + s] % _NTAGS - 128
            if i:
                s = backs[i * _CAP + s]
        return tags
