"""Token features for the quotation tagger, computed from an analysed Doc.

Why these features: German reported speech is marked by quote marks, cue
verbs ("sagte", "zufolge"), Konjunktiv I ("sei", "habe"), dass-clauses and
the position of commas around the cue; a sentence's neighbours matter
because speakers and frames often sit in the previous sentence and
free-indirect runs continue a frame.  The cue lexicon is data
(``data/cue_verbs.tsv``).
"""

from __future__ import annotations

import bisect
from functools import cache

from ..lexicons import load_lexicon
from ..model import Doc, Token

OPENING = {"„": "“", "“": "”", '"': '"', "«": "»", "»": "«", "‚": "‘", "›": "‹"}
CLOSING = {"“", "”", '"', "»", "«", "‘", "‹"}
QUOTE_MARKS = set(OPENING) | CLOSING
#: Konjunktiv II forms that stand in for Konjunktiv I in reported speech.
KONJ2 = frozenset(
    [
        "wäre",
        "wären",
        "hätte",
        "hätten",
        "würde",
        "würden",
        "könnte",
        "könnten",
        "müsste",
        "müssten",
        "dürfte",
        "dürften",
        "sollte",
        "sollten",
        "möchte",
        "möchten",
        "käme",
        "kämen",
        "gäbe",
        "gäben",
        "wüsste",
        "wüssten",
        "ginge",
        "gingen",
        "ließe",
        "ließen",
    ]
)


@cache
def cue_lemmas() -> dict[str, str]:
    """Cue lemma (lower-case) → medium."""
    return {row["lemma"].lower(): row["medium"] for row in load_lexicon("cue_verbs")}


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word in QUOTE_MARKS:
        return "q"
    if not word[:1].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "X"
    if word[:1].isupper():
        return "Xx"
    return "x"


def _is_cue(token: Token) -> bool:
    lemma = token.lemma.lower()
    cues = cue_lemmas()
    return lemma in cues or token.text.lower() in cues or (token.pos.startswith("VV") and lemma.split("#")[-1] in cues)


#: How far after an opening mark its closing mark is looked for (in tokens).
_CLOSING_REACH = 400


def _closes(text: str, closing: str) -> bool:
    return text == closing or (closing in "“”" and text in "“”")


#: Every token text that closes some quote (``_closes``), to list the candidates in one pass.
_CLOSING_TEXTS = frozenset({*OPENING.values(), "“", "”", "“”"})


def quote_states(doc: Doc) -> list[int]:
    """Per token: 1 inside a pair of quote marks (marks included), else 0, reset at each paragraph.

    An opening mark counts only if its closing mark follows within ``_CLOSING_REACH``
    tokens of the same paragraph.  The next closing mark is found by bisection in the
    positions of that mark (listed once per article), not by a search from every
    opening mark: a paragraph of unmatched marks would cost ``_CLOSING_REACH`` times
    its length.
    """
    tokens = doc.tokens
    n = len(tokens)
    states = [0] * n
    # tokens outside every sentence (none are made) each count as a paragraph of their own
    paragraph_of = [-2 - i for i in range(n)]
    for sentence in doc.sentences:
        for i in range(sentence.first, sentence.last):
            paragraph_of[i] = sentence.paragraph
    closings: dict[str, list[int]] = {}
    marks: list[tuple[int, str]] | None = None
    expect: str | None = None
    current_paragraph: int | None = None
    paragraph_end = 0
    for i, token in enumerate(tokens):
        if paragraph_of[i] != current_paragraph:
            current_paragraph = paragraph_of[i]
            expect = None
            paragraph_end = i + 1
            while paragraph_end < n and paragraph_of[paragraph_end] == current_paragraph:
                paragraph_end += 1
        text = token.text
        if expect is not None:
            states[i] = 1
            if _closes(text, expect):
                expect = None
            continue
        closing = OPENING.get(text)
        if closing is not None:
            if closing not in closings:
                if marks is None:
                    marks = [(j, t.text) for j, t in enumerate(tokens) if t.text in _CLOSING_TEXTS]
                closings[closing] = [j for j, mark in marks if _closes(mark, closing)]
            positions = closings[closing]
            k = bisect.bisect_right(positions, i)
            if k < len(positions) and positions[k] < min(paragraph_end, i + _CLOSING_REACH):
                expect = closing
                states[i] = 1
    return states


#: Feature dicts per token, grouped into paragraph sequences (the taggers' unit).
Features = list[list[dict[str, float | str]]]


_CLAUSE_BREAKS = frozenset({",", ":", ";", "–", "—", "-", "(", ")"})


def _clause_features(
    doc: Doc, first: int, last: int, is_cue: list[bool], qstate: list[int], k1: list[bool], k2: list[bool]
) -> list[dict[str, float | str]]:
    """Per token of one sentence: what its clause (text between commas, colons, dashes) holds.

    Why: reported speech starts and ends at clause edges ("X sagte, [er
    werde …], und fügte hinzu, …"); whether a token's own clause has a
    Konjunktiv I verb or the cue, and how far it is from the cue's clause,
    says more about it than the sentence as a whole.
    """
    tokens = doc.tokens
    clauses: list[list[int]] = [[]]
    for i in range(first, last):
        if tokens[i].text in _CLAUSE_BREAKS and not qstate[i] and clauses[-1]:
            clauses.append([])
        clauses[-1].append(i)
    cue_clauses = [ci for ci, c in enumerate(clauses) if any(is_cue[i] and not qstate[i] for i in c)]
    is_cue_clause = set(cue_clauses)
    out: list[dict[str, float | str]] = []
    for ci, clause in enumerate(clauses):
        words = [tokens[i] for i in clause if tokens[i].text not in _CLAUSE_BREAKS]
        info: dict[str, float | str] = {
            "c_k1": float(any(k1[i] for i in clause)),
            "c_k2": float(any(k2[i] for i in clause)),
            "c_fin": float(any(tokens[i].pos.endswith("(FIN)") for i in clause)),
            "c_cue": float(ci in is_cue_clause),
            "c_start": words[0].text.lower() if words and words[0].pos in ("KOUS", "PWAV", "PRELS", "KON") else "-",
            "c_izu": float(any(tokens[i].pos in ("VV(IZU)", "PTKZU") for i in clause)),
        }
        if cue_clauses:
            # the nearest cue clause, the earlier of two as near (as min() over the list chose)
            k = bisect.bisect_left(cue_clauses, ci)
            if k == len(cue_clauses) or (k > 0 and ci - cue_clauses[k - 1] <= cue_clauses[k] - ci):
                k -= 1
            nearest = cue_clauses[k]
            info["c_rel"] = str(max(-2, min(3, ci - nearest)))
        else:
            info["c_rel"] = "none"
        out += [info] * len(clause)
    return out


#: The neighbours a token's features describe, with their feature names.
_CONTEXT_KEYS = tuple((off, (f"{off}:w", f"{off}:pos", f"{off}:cue", f"{off}:inq")) for off in (-2, -1, 1, 2))


def base_features(doc: Doc) -> Features:
    """Feature dicts per token, grouped into paragraph sequences (the quote tagger's unit).

    The attribution tagger reads the same dicts, flattened, plus its own.  Flags of 0 are
    kept: training needs them (crfsuite makes a feature for every label an attribute is
    seen with, whatever its value); in tagging they add nothing and are passed over.
    A dict's order is the order its weights are summed in, so moving a feature changes
    scores in the last bits and the trained model's bytes: new features go at the end.
    """
    tokens = doc.tokens
    qstate = quote_states(doc)
    is_cue = [_is_cue(t) for t in tokens]
    k1 = [t.subjunctive for t in tokens]
    lower = [t.text.lower() for t in tokens]
    k2 = [w in KONJ2 for w in lower]
    lemmas = [t.lemma.lower() for t in tokens]
    # the word as a feature: every quote mark alike
    words = ['"' if t.text in QUOTE_MARKS else w for t, w in zip(tokens, lower, strict=True)]
    sentence_info = []
    for s in doc.sentences:
        rng = range(s.first, s.last)
        sentence_info.append(
            {
                "cue": any(is_cue[i] and not qstate[i] for i in rng),
                "k1": any(k1[i] for i in rng),
                "k2": any(k2[i] for i in rng),
                "q": any(qstate[i] for i in rng),
                "dass": any(lower[i] in ("dass", "daß") for i in rng),
                "colon_end": tokens[s.last - 1].text == ":",
            }
        )
    # the same flags as floats, made once (a feature dict is built for every token)
    k1_f = [float(x) for x in k1]
    k2_f = [float(x) for x in k2]
    cue_f = [float(x) for x in is_cue]
    inq_f = [float(x) for x in qstate]
    sequences: list[list[dict[str, float | str]]] = []
    current: list[dict[str, float | str]] = []
    last_paragraph = None
    para_index = 0
    for si, s in enumerate(doc.sentences):
        if last_paragraph is not None and s.paragraph != last_paragraph:
            sequences.append(current)
            current = []
            para_index = 0
        elif last_paragraph is not None:
            para_index += 1
        last_paragraph = s.paragraph
        prev2 = sentence_info[si - 2] if si > 1 else {}
        dass_seen = False
        cue_seen = False
        k1_seen = False
        cues_after = sum(1 for i in range(s.first, s.last) if is_cue[i] and not qstate[i])
        k1_after = sum(1 for i in range(s.first, s.last) if k1[i] or k2[i])
        info = sentence_info[si]
        prev = sentence_info[si - 1] if si else {}
        nxt = sentence_info[si + 1] if si + 1 < len(sentence_info) else {}
        # the features that are the same for every token of the sentence, in their places
        sentence_part = {
            "s_cue": float(info["cue"]),
            "s_k1": float(info["k1"]),
            "s_k2": float(info["k2"]),
            "s_q": float(info["q"]),
            "s_dass": float(info["dass"]),
            "p_k1": float(bool(prev.get("k1"))),
            "p_cue": float(bool(prev.get("cue"))),
            "p_q": float(bool(prev.get("q"))),
            "p_colon": float(bool(prev.get("colon_end"))),
            "n_cue": float(bool(nxt.get("cue"))),
            "n_k1": float(bool(nxt.get("k1"))),
        }
        position_part = {
            "para_pos": str(min(para_index, 2)),
            "doc_first": float(si == 0),
            "pp_k1": float(bool(prev2.get("k1"))),
        }
        cue_positions = [i for i in range(s.first, s.last) if is_cue[i] and not qstate[i]]
        clause_f = _clause_features(doc, s.first, s.last, is_cue, qstate, k1, k2)
        commas = 0
        for i in range(s.first, s.last):
            t = tokens[i]
            w = t.text
            f: dict[str, float | str] = {
                "bias": 1.0,
                "w": words[i],
                "lem": lemmas[i],
                "pos": t.pos,
                "suf3": w[-3:].lower(),
                "shape": _shape(w),
                "k1": k1_f[i],
                "k2": k2_f[i],
                "cue": cue_f[i],
                "inq": inq_f[i],
                "qmark": float(w in QUOTE_MARKS),
                "qopen": float(w in QUOTE_MARKS and qstate[i] == 1 and (i == 0 or qstate[i - 1] == 0 or i == s.first)),
                "first": float(i == s.first),
                "last": float(i == s.last - 1),
                **sentence_part,
                "commas": str(min(commas, 3)),
                "pos_in_s": str(min(i - s.first, 5)),
                **position_part,
                "dass_before": float(dass_seen),
                "cue_before": float(cue_seen),
                "cue_after": float(cues_after > 0),
                "k1_before": float(k1_seen),
                "k1_after": float(k1_after > 0),
                "lem-1": lemmas[i - 1] if i > s.first else "<s>",
                "lem+1": lemmas[i + 1] if i + 1 < s.last else "</s>",
                "pos_bi": (tokens[i - 1].pos if i > s.first else "<s>") + "|" + t.pos,
            }
            if lower[i] in ("dass", "daß"):
                dass_seen = True
            if is_cue[i] and not qstate[i]:
                cue_seen = True
                cues_after -= 1
            if k1[i] or k2[i]:
                k1_seen = True
                k1_after -= 1
            if w == ",":
                dass_seen = dass_seen and False
            if cue_positions:
                # the nearest cue, the earlier one of two as near
                k = bisect.bisect_left(cue_positions, i)
                if k == len(cue_positions) or (k > 0 and i - cue_positions[k - 1] <= cue_positions[k] - i):
                    k -= 1
                nearest = cue_positions[k]
                d = i - nearest
                f["cue_rel"] = "at" if d == 0 else ("after" if d > 0 else "before")
                f["cue_dist"] = str(min(abs(d), 6))
                f["cue_lem"] = lemmas[nearest]
            for off, (key_w, key_pos, key_cue, key_inq) in _CONTEXT_KEYS:
                j = i + off
                if s.first <= j < s.last:
                    f[key_w] = words[j]
                    f[key_pos] = tokens[j].pos
                    f[key_cue] = cue_f[j]
                    f[key_inq] = inq_f[j]
                else:
                    f[key_w] = "<s>"
            if w == ",":
                commas += 1
            f.update(clause_f[i - s.first])
            current.append(f)
    if current:
        sequences.append(current)
    return sequences
