"""Demo tables: the two tenants, their stores, the category tree and the product types.

Prices are integers in FCFA (XAF and XOF have no minor unit). Brands are invented except
for phones, TVs and small appliances, where the real brands sold in the region make the
demo believable.
"""
from __future__ import annotations

from dataclasses import dataclass

TENANTS = [
    {
        "slug": "akwa", "name": "Akwa Market", "legal_name": "Akwa Market SARL", "country": "CM",
        "currency": "XAF", "locale": "fr", "timezone": "Africa/Douala", "primary_color": "#0b6e4f",
        "secondary_color": "#f2a541", "contact_email": "bonjour@akwamarket.cm", "contact_phone": "+237699214587",
        "sku_prefix": "AKW", "made_in": "Fabriqué au Cameroun",
        "staff": ("Jean-Paul Ngassa", "pdg"),
        "stores": [
            {"name": "Akwa Market Douala-Akwa", "code": "DLA-AKWA", "city": "Douala", "offset": (-0.0036, -0.0088),
             "address": "45, boulevard de la Liberté, Akwa, Douala", "is_ecommerce_warehouse": True,
             "opening_hours": "Lun–Sam 8h30–20h00 · Dim 10h00–15h00"},
            {"name": "Akwa Market Yaoundé Centre", "code": "YDE-CTR", "city": "Yaoundé", "offset": (0.0181, 0.0149),
             "address": "Avenue Kennedy, face poste centrale, Yaoundé",
             "opening_hours": "Lun–Sam 8h00–19h30 · Dim fermé"},
            {"name": "Akwa Market Bafoussam Marché", "code": "BFS-MKT", "city": "Bafoussam",
             "offset": (0.0046, -0.0057), "address": "Route de Foumban, près du marché A, Bafoussam",
             "opening_hours": "Lun–Sam 8h00–19h00 · Dim 9h00–13h00"},
        ],
    },
    {
        "slug": "plateau", "name": "Plateau Shopping", "legal_name": "Plateau Shopping SA", "country": "CI",
        "currency": "XOF", "locale": "fr", "timezone": "Africa/Abidjan", "primary_color": "#c2410c",
        "secondary_color": "#1d4ed8", "contact_email": "service.client@plateaushopping.ci",
        "contact_phone": "+2250707452318", "sku_prefix": "PLT", "made_in": "Fabriqué en Côte d'Ivoire",
        "staff": ("Aminata Koné", "pdg"),
        "stores": [
            {"name": "Plateau Shopping Abidjan-Plateau", "code": "ABJ-PLT", "city": "Abidjan",
             "offset": (-0.0094, -0.0112), "address": "Avenue Chardy, Le Plateau, Abidjan",
             "is_ecommerce_warehouse": True, "opening_hours": "Lun–Sam 8h30–19h30 · Dim 10h00–14h00"},
            {"name": "Plateau Shopping Bouaké Centre", "code": "BKE-CTR", "city": "Bouaké", "offset": (-0.0041, 0.0068),
             "address": "Quartier Commerce, près du grand marché, Bouaké",
             "opening_hours": "Lun–Sam 8h00–19h00 · Dim fermé"},
        ],
    },
]

# (root, [leaves]); leaf slugs are prefixed with the root's because "Hommes" appears twice.
CATEGORIES = [
    ("Vêtements", ["Hommes", "Femmes", "Enfants"]),
    ("Chaussures", ["Hommes", "Femmes", "Enfants"]),
    ("Téléphones & Électronique", ["Smartphones", "Accessoires", "Audio & TV"]),
    ("Maison & Cuisine", ["Cuisine", "Électroménager", "Décoration"]),
    ("Beauté & Santé", ["Soins du corps", "Cheveux", "Parfums"]),
    ("Alimentation & Boissons", ["Épicerie", "Boissons", "Épices & condiments"]),
]

# Colour name → (hex for images, SKU token).
COLOURS = {
    "Noir": ("#1f2328", "NOIR"), "Blanc": ("#f4f1ea", "BLANC"), "Bleu": ("#1e5aa8", "BLEU"),
    "Rouge": ("#c0392b", "ROUGE"), "Vert": ("#1e8449", "VERT"), "Jaune": ("#f1c40f", "JAUNE"),
    "Orange": ("#e67e22", "ORANGE"), "Bordeaux": ("#7b1e3a", "BORDEAUX"), "Beige": ("#d9c3a0", "BEIGE"),
    "Marron": ("#6e4b2a", "MARRON"), "Rose": ("#e27ba3", "ROSE"), "Gris": ("#808b96", "GRIS"),
    "Kaki": ("#77794a", "KAKI"), "Violet": ("#6c3483", "VIOLET"), "Doré": ("#c9a227", "DORE"),
    "Argent": ("#b8bec4", "ARGENT"),
}
CLOTH_COLOURS = ["Bleu", "Rouge", "Vert", "Jaune", "Orange", "Bordeaux", "Noir", "Blanc", "Kaki", "Rose"]
SHOE_COLOURS = ["Noir", "Marron", "Beige", "Blanc", "Bordeaux"]
PHONE_COLOURS = ["Noir", "Bleu", "Vert", "Violet", "Doré", "Argent"]

# Size ladders per kind; a product takes a contiguous run of 2–4 of them.
SIZES = {
    "adult": ["S", "M", "L", "XL", "XXL"],
    "kids": ["2 ans", "4 ans", "6 ans", "8 ans", "10 ans", "12 ans"],
    "shoes_m": ["39", "40", "41", "42", "43", "44", "45"],
    "shoes_f": ["36", "37", "38", "39", "40", "41"],
    "shoes_k": ["28", "30", "32", "34", "35"],
}


@dataclass(frozen=True)
class ProductType:
    leaf: str          # "Vêtements/Hommes"
    code: str          # SKU segment
    label: str         # short name drawn on the image
    kind: str          # a SIZES key, "phone", "colour" (colour only) or "single"
    names: tuple[str, ...]
    brands: tuple[str, ...]
    price: tuple[int, int]
    weight: int        # grams
    pitch: str         # first sentence of the description
    features: tuple[str, ...]
    local: bool = False  # eligible for the "made in" tag


def _t(leaf, code, label, kind, names, brands, price, weight, pitch, features, local=False) -> ProductType:
    return ProductType(leaf, code, label, kind, tuple(names), tuple(brands), price, weight, pitch, tuple(features),
                       local)


TYPES = [
    _t("Vêtements/Hommes", "CHM", "Chemise", "adult",
       ["Chemise pagne wax manches courtes", "Chemise pagne wax manches longues", "Chemise en lin col mao",
        "Chemise en bazin brodée", "Chemise Oxford en coton", "Chemise à carreaux en flanelle"],
       ["Maison Sawa", "Ndop Couture", "Wax Avenue"], (8000, 20000), 250,
       "Une chemise bien coupée, agréable à porter par temps chaud.",
       ["Coton respirant", "Coupe ajustée", "Lavage à 30 °C", "Boutons nacrés"], True),
    _t("Vêtements/Hommes", "PAH", "Pantalon", "adult",
       ["Pantalon chino slim", "Pantalon en lin large", "Pantalon cargo en toile", "Pantalon de costume léger"],
       ["Sawa Style", "Kente & Co"], (10000, 22000), 450, "Le pantalon du quotidien, du bureau au week-end.",
       ["Taille avec passants", "Deux poches italiennes", "Tissu infroissable"]),
    _t("Vêtements/Hommes", "TSH", "T-shirt", "adult",
       ["T-shirt col rond 100 % coton", "T-shirt col V coton bio", "T-shirt imprimé bogolan",
        "Polo piqué manches courtes"],
       ["Sawa Style", "Bogolan Studio"], (3500, 9000), 180, "Un basique confortable qui garde sa forme au lavage.",
       ["Coton 180 g/m²", "Coutures renforcées", "Impression durable"]),
    _t("Vêtements/Hommes", "BOU", "Boubou", "adult",
       ["Grand boubou en bazin riche", "Boubou brodé trois pièces", "Ensemble agbada en wax", "Kaftan en lin brodé"],
       ["Ndop Couture", "Maison Sawa"], (25000, 65000), 900,
        "Une tenue de cérémonie brodée à la main par nos tailleurs.",
       ["Broderie main", "Pantalon assorti inclus", "Finitions soignées"], True),
    _t("Vêtements/Femmes", "ROB", "Robe", "adult",
       ["Robe longue en pagne wax", "Robe portefeuille en wax", "Robe kaba brodée", "Robe sirène en wax",
        "Robe chemise en lin", "Robe d'été fleurie"],
       ["Pagne d'Or", "Wax Avenue", "Maison Sawa"], (12000, 35000), 400, "Une robe élégante aux couleurs vives.",
       ["Tissu 100 % coton", "Fermeture éclair au dos", "Doublure légère", "Coupe flatteuse"], True),
    _t("Vêtements/Femmes", "JUP", "Jupe", "adult",
       ["Jupe crayon en wax", "Jupe longue plissée", "Jupe évasée en pagne"],
       ["Pagne d'Or", "Wax Avenue"], (7000, 16000), 300, "Une jupe facile à assortir, taille confortable.",
       ["Taille élastiquée", "Longueur midi", "Poches invisibles"], True),
    _t("Vêtements/Femmes", "ENS", "Ensemble", "adult",
       ["Ensemble pagne trois pièces", "Ensemble tunique et pantalon wax", "Ensemble kaba et foulard assorti"],
       ["Pagne d'Or", "Ndop Couture"], (15000, 38000), 700,
        "Un ensemble coordonné prêt à porter pour les grandes occasions.",
       ["Foulard assorti", "Coton wax", "Couture locale"], True),
    _t("Vêtements/Femmes", "PAG", "Pagne", "colour",
       ["Pagne wax 6 yards hollandais", "Pagne wax 6 yards imprimé", "Pagne tissé kente 2 yards",
        "Pagne bazin teint main"],
       ["Pagne d'Or", "Wax Avenue"], (12000, 45000), 1100, "Un tissu de qualité pour vos créations sur mesure.",
       ["Grand teint", "Largeur 115 cm", "Motifs exclusifs"], True),
    _t("Vêtements/Enfants", "ENE", "Enfant", "kids",
       ["Ensemble chemise et short wax", "Robe de cérémonie fille", "Survêtement enfant en coton",
        "Pyjama enfant en coton",
        "Robe fille à volants en pagne"],
       ["Petit Baobab", "Mini Sawa"], (5000, 15000), 250, "Confortable et solide, pensé pour les enfants qui bougent.",
       ["Coton doux", "Lavable en machine", "Boutons pression"], True),
    _t("Vêtements/Enfants", "TSE", "T-shirt", "kids",
       ["T-shirt enfant imprimé animaux", "T-shirt enfant col rond uni", "T-shirt enfant à rayures"],
       ["Petit Baobab"], (2500, 6000), 120, "Le t-shirt de tous les jours pour l'école et les jeux.",
       ["Coton peigné", "Col côtelé", "Couleurs qui tiennent"]),
    _t("Chaussures/Hommes", "SDH", "Sandales", "shoes_m",
       ["Sandales en cuir tressé", "Sandales en cuir à double bride", "Babouches en cuir brodé", "Tongs en caoutchouc"],
       ["Cuir du Sahel", "Pas Léger"], (2500, 15000), 600, "Des sandales robustes faites pour la chaleur.",
       ["Cuir véritable", "Semelle antidérapante", "Cousu main"], True),
    _t("Chaussures/Hommes", "CHH", "Chaussures", "shoes_m",
       ["Mocassins en cuir souple", "Chaussures derby en cuir", "Baskets en toile", "Baskets de running légères"],
       ["Pas Léger", "Maroquinerie Mbeng"], (15000, 35000), 900, "Une paire confortable pour la ville.",
       ["Semelle amortissante", "Doublure respirante", "Lacets de rechange"]),
    _t("Chaussures/Femmes", "CHF", "Chaussures", "shoes_f",
       ["Escarpins à talon carré", "Sandales à talon en cuir", "Ballerines en wax", "Mules en raphia tressé",
        "Baskets blanches en cuir"],
       ["Pas Léger", "Pagne d'Or"], (9000, 28000), 700, "Élégantes et confortables toute la journée.",
       ["Semelle intérieure rembourrée", "Talon 5 cm", "Finitions cuir"], True),
    _t("Chaussures/Enfants", "CHE", "Chaussures", "shoes_k",
       ["Sandales enfant à scratch", "Baskets enfant lumineuses", "Chaussures scolaires en cuir"],
       ["Petit Baobab", "Pas Léger"], (5000, 14000), 400, "Des chaussures solides pour l'école et la récréation.",
       ["Fermeture scratch", "Bout renforcé", "Semelle souple"]),
    _t("Téléphones & Électronique/Smartphones", "SMA", "Smartphone", "phone",
       ["Téléphone Tecno Spark 20", "Téléphone Tecno Camon 30", "Téléphone Tecno Pova 6", "Téléphone Infinix Hot 40i",
        "Téléphone Infinix Note 40", "Téléphone Itel A70", "Téléphone Itel S24", "Téléphone Samsung Galaxy A15",
        "Téléphone Samsung Galaxy A05s", "Téléphone Xiaomi Redmi 13C", "Téléphone Xiaomi Redmi Note 13"],
       [], (50000, 160000), 190, "Un smartphone double SIM avec une grosse batterie pour tenir la journée.",
       ["Double SIM 4G", "Batterie 5000 mAh", "Écran 6,6 pouces", "Garantie 12 mois"]),
    _t("Téléphones & Électronique/Smartphones", "TEL", "Téléphone", "single",
       ["Téléphone Nokia 105", "Téléphone Itel it2163", "Téléphone Tecno T301"],
       [], (7000, 15000), 90, "Le téléphone simple et increvable, avec une autonomie de plusieurs jours.",
       ["Double SIM", "Radio FM", "Lampe torche"]),
    _t("Téléphones & Électronique/Accessoires", "ACC", "Accessoire", "single",
       ["Chargeur rapide USB-C 18 W", "Batterie externe 10 000 mAh", "Batterie externe 20 000 mAh",
        "Écouteurs sans fil Bluetooth", "Écouteurs filaires avec micro", "Câble USB-C renforcé 1 m",
        "Coque de protection antichoc", "Montre connectée sport"],
       ["Oraimo", "VoltPlus"], (2000, 25000), 150, "Un accessoire fiable pour votre téléphone.",
       ["Compatible Android", "Garantie 6 mois", "Protection contre les surtensions"]),
    _t("Téléphones & Électronique/Audio & TV", "ATV", "Audio TV", "single",
       ["Téléviseur LED 32 pouces", "Téléviseur Smart TV 43 pouces", "Enceinte Bluetooth portable",
        "Barre de son 2.1", "Décodeur TNT HD", "Radio solaire rechargeable"],
       ["Hisense", "TCL", "Samsung"], (12000, 230000), 4000, "Le son et l'image pour toute la famille.",
       ["Garantie 12 mois", "Télécommande incluse", "Compatible HDMI"]),
    _t("Maison & Cuisine/Cuisine", "CUI", "Cuisine", "single",
       ["Marmite en fonte 5 L", "Marmite en aluminium 10 L", "Set de 5 casseroles inox", "Mortier et pilon en bois",
        "Poêle antiadhésive 28 cm", "Glacière 25 L", "Thermos 2 L", "Foyer amélioré à charbon"],
       ["Cuisine d'Afrique", "Roch"], (4000, 45000), 2500, "Un ustensile solide pour la cuisine de tous les jours.",
       ["Compatible gaz et charbon", "Facile à nettoyer", "Poignées isolées"], True),
    _t("Maison & Cuisine/Électroménager", "ELM", "Électroménager", "single",
       ["Ventilateur sur pied 16 pouces", "Mixeur blender 1,5 L", "Bouilloire électrique 1,7 L",
        "Fer à repasser vapeur", "Réfrigérateur 150 L", "Plaque chauffante 2 feux", "Moulin à épices électrique"],
       ["Binatone", "Nasco", "Roch"], (7000, 260000), 3000, "Un appareil économe pour simplifier la maison.",
       ["Garantie 12 mois", "Classe énergétique A", "Notice en français"]),
    _t("Maison & Cuisine/Décoration", "DEC", "Déco", "single",
       ["Coussin en pagne wax 45 x 45", "Panier tressé en raphia", "Nappe en bogolan", "Tapis tissé 120 x 180",
        "Masque décoratif en bois sculpté", "Set de 6 sets de table en paille"],
       ["Bogolan Studio", "Maison Sawa"], (4000, 35000), 800, "Une touche artisanale pour votre intérieur.",
       ["Fait main", "Pièce unique", "Matières naturelles"], True),
    _t("Beauté & Santé/Soins du corps", "SOI", "Soin", "single",
       ["Beurre de karité pur 250 g", "Savon noir africain 200 g", "Huile de coco vierge 500 ml",
        "Lait corporel au karité 400 ml", "Huile de palmiste 250 ml", "Gommage au café et sucre"],
       ["Savane Beauté", "Kari'Naturel"], (1000, 6500), 300, "Un soin naturel, sans parfum ajouté.",
       ["Ingrédients naturels", "Non testé sur les animaux", "Pour tous types de peau"], True),
    _t("Beauté & Santé/Cheveux", "CHV", "Cheveux", "single",
       ["Mèches tressage 3 paquets", "Perruque lisse 18 pouces", "Huile capillaire au ricin 120 ml",
        "Peigne afro en bois", "Crème coiffante à l'avocat"],
       ["Perle d'Ébène", "Savane Beauté"], (1500, 45000), 200, "Pour des cheveux forts et faciles à coiffer.",
       ["Convient aux cheveux crépus", "Sans sulfate", "Usage quotidien"]),
    _t("Beauté & Santé/Parfums", "PAR", "Parfum", "single",
       ["Eau de parfum oud boisé 100 ml", "Eau de toilette musc blanc 50 ml", "Huile parfumée ambre 12 ml",
        "Encens bakhoor 50 g", "Déodorant roll-on fraîcheur"],
       ["Maison Oud", "Perle d'Ébène"], (1500, 40000), 250, "Un parfum tenace aux notes chaudes.",
       ["Longue tenue", "Flacon vaporisateur", "Coffret cadeau disponible"]),
    _t("Alimentation & Boissons/Épicerie", "EPI", "Épicerie", "single",
       ["Riz parfumé 5 kg", "Huile de palme rouge 1 L", "Farine de manioc 1 kg", "Attiéké sec 1 kg",
        "Café moulu pur arabica 250 g", "Miel de forêt 500 g", "Chocolat noir 70 % 100 g", "Arachides grillées 500 g"],
       ["Saveurs du Mungo", "Terroir Ivoire", "Mama Africa"], (800, 7500), 1000,
        "Des produits du terroir, sélectionnés avec soin.",
       ["Origine locale", "Sans conservateur", "À conserver au sec"], True),
    _t("Alimentation & Boissons/Boissons", "BOI", "Boisson", "single",
       ["Jus de bissap 1 L", "Jus de gingembre 1 L", "Jus de baobab (bouye) 50 cl", "Eau minérale pack 6 x 1,5 L",
        "Jus d'ananas pressé 1 L", "Sirop de tamarin 75 cl"],
       ["Délices de la Sanaga", "Terroir Ivoire"], (600, 3500), 1200,
        "Une boisson rafraîchissante préparée comme à la maison.",
       ["Servir bien frais", "Sans colorant", "Fruits locaux"], True),
    _t("Alimentation & Boissons/Épices & condiments", "EPC", "Épices", "single",
       ["Piment en poudre 100 g", "Poivre de Penja 100 g", "Soumbala en poudre 100 g", "Gingembre séché 200 g",
        "Cube d'assaisonnement boîte de 60", "Mélange pour soya 100 g"],
       ["Saveurs du Mungo", "Mama Africa"], (500, 6000), 150, "Le goût authentique de nos cuisines.",
       ["Séché au soleil", "Sachet refermable", "Sans additif"], True),
]

# Phone storage options and their price step over the base price.
STORAGE = [("64 Go", "64", 0), ("128 Go", "128", 12000), ("256 Go", "256", 30000)]

# Bulk catalog: extra words so 100 000 names stay varied for search and sorting.
BULK_QUALIFIERS = ["classique", "premium", "édition 2026", "collection saison sèche", "modèle artisanal",
                   "série limitée", "essentiel", "confort", "prestige", "éco", "urbain", "tradition", "signature",
                   "collection fêtes", "ligne pro", "sélection du mois"]

# Where one type's range would give absurd prices (a 200 000 F decoder), the item's own range.
PRICE_HINTS = {
    "Tongs en caoutchouc": (1500, 3500), "Ballerines en wax": (9000, 15000),
    "Chargeur rapide USB-C 18 W": (3000, 7000), "Batterie externe 10 000 mAh": (8000, 14000),
    "Batterie externe 20 000 mAh": (13000, 22000), "Écouteurs sans fil Bluetooth": (7000, 20000),
    "Écouteurs filaires avec micro": (2000, 4500), "Câble USB-C renforcé 1 m": (1500, 3500),
    "Coque de protection antichoc": (2000, 5000), "Montre connectée sport": (12000, 25000),
    "Téléviseur LED 32 pouces": (85000, 130000), "Téléviseur Smart TV 43 pouces": (160000, 230000),
    "Enceinte Bluetooth portable": (12000, 45000), "Barre de son 2.1": (45000, 90000),
    "Décodeur TNT HD": (12000, 20000), "Radio solaire rechargeable": (9000, 18000),
    "Marmite en fonte 5 L": (12000, 20000), "Marmite en aluminium 10 L": (8000, 15000),
    "Set de 5 casseroles inox": (25000, 45000), "Mortier et pilon en bois": (4000, 9000),
    "Poêle antiadhésive 28 cm": (6000, 12000), "Glacière 25 L": (15000, 28000), "Thermos 2 L": (5000, 9000),
    "Foyer amélioré à charbon": (6000, 12000), "Ventilateur sur pied 16 pouces": (18000, 35000),
    "Mixeur blender 1,5 L": (15000, 30000), "Bouilloire électrique 1,7 L": (8000, 15000),
    "Fer à repasser vapeur": (8000, 16000), "Réfrigérateur 150 L": (150000, 260000),
    "Plaque chauffante 2 feux": (12000, 22000), "Moulin à épices électrique": (9000, 16000),
    "Mèches tressage 3 paquets": (1500, 4500), "Perruque lisse 18 pouces": (25000, 45000),
    "Peigne afro en bois": (1500, 3000), "Eau de parfum oud boisé 100 ml": (18000, 40000),
    "Eau de toilette musc blanc 50 ml": (9000, 20000), "Déodorant roll-on fraîcheur": (1500, 3500),
    "Riz parfumé 5 kg": (4500, 7500), "Huile de palme rouge 1 L": (1200, 2000), "Miel de forêt 500 g": (3500, 6000),
    "Eau minérale pack 6 x 1,5 L": (2000, 3500), "Poivre de Penja 100 g": (3500, 6000),
}

# Base price of the smallest storage option, as sold in the region.
PHONE_PRICES = {
    "Téléphone Tecno Spark 20": 85000, "Téléphone Tecno Camon 30": 165000, "Téléphone Tecno Pova 6": 130000,
    "Téléphone Infinix Hot 40i": 75000, "Téléphone Infinix Note 40": 140000, "Téléphone Itel A70": 50000,
    "Téléphone Itel S24": 80000, "Téléphone Samsung Galaxy A15": 115000, "Téléphone Samsung Galaxy A05s": 80000,
    "Téléphone Xiaomi Redmi 13C": 70000, "Téléphone Xiaomi Redmi Note 13": 135000,
}
