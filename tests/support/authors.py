"""Names that collide ("Hao Li", "Haoran Liu", "Xiaohao Li"...), for the author-search
tests of the core and the app."""

from __future__ import annotations

# One paper per name (or names), keyed by what it is there to catch.
NAMED = {
    "hao li": ("Hao Li",),
    "haoran liu": ("Haoran Liu",),
    "xiaohao li": ("Xiaohao Li",),
    "li hao": ("Li Hao",),
    "hao li-wei": ("Hao Li-Wei",),
    "bibtex": ("Li, Hao",),
    "initial": ("H. Li",),
    "middle initial": ("Hao X. Li",),
    "middle name": ("Hao Xiang Li",),
    "hao lin": ("Hao Lin",),
    "zehao jin": ("Zehao Jin",),
    "apart": ("Zehao Wang", "Mei Jin"),
    "weihao liu": ("Weihao Liu",),
    "li-like": ("Lin Chen", "Lim Wei", "Liang Xu"),
    "lecun": ("Yann LeCun", "Léon Bottou"),
    "lecun apart": ("Yann Dauphin", "Xu LeCun"),
    "ricky": ("Ricky T. Q. Chen",),
    "accents": ("Hào Lǐ",),
    "miller": ("Ann Miller",),
    "muller": ("Bea Müller",),
}
