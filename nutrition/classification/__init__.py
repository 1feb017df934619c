"""GEMRCN tags of a dish computed from its recipe (arrêté du 30 septembre 2011, annexe I).

Input: a ``DishComposition`` (component + ingredients with grams per portion for the reference
age group, per-100 g nutrients and CIQUAL group names). Output: one ``TagDecision`` per tag that
can be counted for the dish's component, with ``applies`` True/False, or None when the data do
not allow a decision, and a reason in French a dietitian can check.

Arithmetic (the annex's definitions):
- dish weight = sum of ingredient grams (the cooked, as-served weight);
- fat % = total fat / dish weight ("produits gras": > 15 % de matières grasses);
- calcium and sugars are per portion (sum over ingredients);
- shares of fish, of meat/fish/egg, of raw vegetables... are by weight.

Missing values are never read as zero. Each sum is kept as bounds: the known part, and an upper
bound when the missing part is limited (a food cannot hold more than 100 g of fat, protein or
sugars per 100 g; calcium has no useful bound). A tag is decided whenever every value inside the
bounds gives the same answer, otherwise it is None and the reason names the missing data.

Ingredient categories, from the CIQUAL 2025 sub-group (``alim_ssgrp_nom_fr``) and sub-sub-group:

| category | CIQUAL |
|---|---|
| fish | poissons crus, poissons cuits, produits à base de poissons et produits de la mer, mollusques et crustacés crus/cuits (seafood counts as fish) |
| meat | viandes crues, viandes cuites, autres produits à base de viande, charcuteries (except "alternatives végétales aux charcuteries") |
| red meat, unground | meat in sub-sub-group "boeuf et veau", "agneau et mouton" (names with "mouton" left out: the text says bœuf, veau, agneau) or "abats" (butcher's offal: poultry, rabbit and duck offal left out), not ground: flag ``ground_meat`` or a name with haché/boulette/burger/saucisse/merguez makes it ground, flag ``unground`` forces unground |
| egg | oeufs |
| cheese | fromages et alternatives végétales (except the plant alternatives). Fromage blanc counts as dairy, not cheese, as in GEMRCN practice |
| dairy | the other foods of group "produits laitiers" (laits, yaourts, fromages blancs, desserts lactés, crèmes); "desserts végétaux" are other, "autres desserts" (tiramisu, clafoutis...) unknown |
| vegetable | légumes (raw when sub-sub-group "légumes crus" or a name with "cru", else cooked) |
| fruit | fruits (raw when sub-sub-group "fruits crus" or a name with "cru"; compotes, canned and dried fruit are not raw) |
| pulses | légumineuses |
| starch | pommes de terre et autres tubercules, pâtes, riz et céréales |
| plant protein | ingrédients pour végétariens (tofu, tempeh, seitan, textured soy), plant alternatives to charcuterie and cheese: "produits végétaux transformés" for the vegetarian tags |
| unknown | group "entrées et plats composés", "aliments infantiles", or no group: a ready-made composite whose share of fish, meat or vegetables CIQUAL does not give |
| other | everything else (sauces, fats, sugars, herbs, nuts, bread, drinks...) |

Ingredient flags the dietitian sets: ``raw`` / ``cooked`` (override the raw state of a vegetable
or fruit), ``fried`` (fried or pre-fried; foods named "frit(e)", "frites", "préfrit(e)s" are recognised
too, except sauces and fats),
``ground_meat`` / ``unground``, ``plant_processed`` (an industrial plant-protein product).

Interpretations of the binding text, chosen here and open to review:
- rule 1: crudités = raw vegetables + raw fruit ≥ 50 % of the dish weight (GEMRCN guide);
- rule 2: 100 % of the dish weight is raw fruit (so no added sugar);
- rules 3, 4: cooked vegetables (resp. pulses + starches) ≥ 50 % of the side's weight;
- rules 5, 6: calcium brought by the cheese ingredients only; 150 mg belongs to rule 5;
- rule 7: dairy ≥ 50 % of the weight, total calcium > 100 mg and fat < 5 g per portion;
- rule 8: unground red meat or butcher's offal ≥ 50 % of the meat/fish/egg weight;
- rule 9: fish ≥ 70 % of the dish weight and protein ≥ 2 × fat, applied to plain fish too;
- rule 10: the dish contains meat, fish or egg and they make < 70 % of its weight (Adoria reads
  it as < 70 % of the annex II protein weight instead);
- rule 13: products fried, pre-fried or to fry (frites, nuggets, breaded fish, croquettes,
  pommes noisettes, fritters: the flag or the name) making ≥ 30 % of the dish, whatever fat
  CIQUAL gives for the oven-cooked product: school menus count them as "produits frits ou
  préfrits" (the fat the rule limits is the frying fat, which CIQUAL's oven-cooked or
  "à cuire" values leave out; 12 % for pre-fried chips as bought, well over 15 % as served);
- ready-made composites ("entrées et plats composés") are read by their sub-group and name
  (``composite_kind``): a quiche or a pizza holds no crudité, a céleri rémoulade does, a
  taboulé is a starch, a blanquette is meat in pieces, a hachis parmentier or nuggets are a
  preparation of less than 70 % meat;
- rule 14: fat ≥ protein on the whole dish;
- vegetarian: no meat or fish; its base is the category bringing most protein among
  pulses/cereals/starches, egg, cheese/dairy and processed plant protein.

The package, along the steps above: ``vocabulary`` (components, tags, categories, the dish and
decision types), ``recognition`` (what an ingredient is), ``bounds`` (bounded sums and
three-valued comparisons), ``wording`` (the French reasons), ``rules`` (one rule per tag, the
vegetarian tags, ``classify``), ``overrides`` (the dietitian's decisions). Every public name is
importable from the package itself.
"""

from .bounds import Bound, nutrient_total, weight_share
from .overrides import ResolvedTag, TagOverride, applied_tags, apply_overrides
from .recognition import (
    categorize,
    composite_kind,
    contains_meat_or_fish,
    is_fried,
    is_raw,
    is_unground_red_meat,
)
from .rules import THIRTY, classify
from .vocabulary import (
    ALL_TAGS,
    CATEGORY_LABELS_FR,
    COMPONENT_TAGS,
    COMPONENTS,
    FLAGS,
    HUNDRED,
    Category,
    DishComposition,
    Ingredient,
    TagDecision,
)
from .wording import fmt

__all__ = [
    "ALL_TAGS",
    "Bound",
    "CATEGORY_LABELS_FR",
    "COMPONENTS",
    "COMPONENT_TAGS",
    "Category",
    "DishComposition",
    "FLAGS",
    "HUNDRED",
    "Ingredient",
    "ResolvedTag",
    "THIRTY",
    "TagDecision",
    "TagOverride",
    "applied_tags",
    "apply_overrides",
    "categorize",
    "classify",
    "composite_kind",
    "contains_meat_or_fish",
    "fmt",
    "is_fried",
    "is_raw",
    "is_unground_red_meat",
    "nutrient_total",
    "weight_share",
]
