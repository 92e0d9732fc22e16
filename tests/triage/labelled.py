# ruff: noqa: E501 - one labelled example per line reads best as a table
"""A labelled set of mention texts written for these tests, with what triage should decide.

Each row: text, author reach, department slug (routing), contact point, priority (1-4),
sentiment class (neg / neu / pos). Departments and routing rules: see ``routing_setup``.
"""

from hub.models import RoutingRule
from tests.factories import DepartmentFactory

P, S, R, X = "presale", "postsale", "ready_to_receive", "problem"

# fmt: off
LABELLED = [
    # --- billing ---------------------------------------------------------------------------
    ("Why was I charged twice for the same invoice this month?", 120, "billing", S, 3, "neg"),
    ("Still waiting on the refund you promised three weeks ago. Not happy.", 300, "billing", S, 3, "neg"),
    ("Refund me now or I sue", 40, "billing", X, 4, "neu"),
    ("Can I get a copy of my invoice for March please", 80, "billing", S, 2, "pos"),
    ("Thanks for sorting out my payment so quickly, lovely service!", 210, "billing", S, 1, "pos"),
    ("My card payment keeps failing at checkout and the website says error 500", 95, "web", X, 3, "neg"),
    ("You took money from my account without asking. This is fraud, I'm calling my lawyer.", 1500, "billing", X, 4, "neg"),
    ("How much is the premium plan per month?", 60, "billing", P, 2, "neu"),
    ("Is there a student discount on the yearly plan?", 30, "billing", P, 2, "neu"),
    ("Overcharged again. Third time this year. Absolutely useless company.", 900, "billing", X, 3, "neg"),
    ("Payment went through fine, receipt received, cheers", 45, "billing", S, 1, "pos"),
    ("I want my money back for the subscription I cancelled", 150, "billing", S, 3, "neg"),
    # --- delivery --------------------------------------------------------------------------
    ("Where is my parcel? Tracking hasn't moved in 4 days", 70, "delivery", R, 2, "neu"),
    ("Courier left my package in the rain, everything is soaked and ruined", 220, "delivery", X, 3, "neg"),
    ("When will my order be dispatched? Ordered on Monday", 15, "delivery", R, 2, "neu"),
    ("The delivery driver was so friendly and helpful today, thank you!", 340, "delivery", S, 1, "pos"),
    ("Do you deliver to the Channel Islands?", 25, "delivery", P, 2, "neu"),
    ("My parcel says delivered but it never arrived. Worst courier ever.", 480, "delivery", X, 3, "neg"),
    ("Out for delivery since 7am, any idea what time it will come?", 55, "delivery", R, 2, "neu"),
    ("Your courier van reversed into my car and drove off. Dangerous driving, someone could have been hurt.", 2300, "delivery", X, 4, "neg"),
    ("Tracking number doesn't work on your site, can you send it again?", 40, "delivery", R, 2, "neu"),
    ("The box arrived crushed and the glass inside was broken. I cut my hand, injured opening it.", 130, "delivery", X, 4, "neg"),
    # --- app -------------------------------------------------------------------------------
    ("The app keeps crashing every time I open it", 350, "app", X, 3, "neg"),
    ("Can't log in to the app since the update, password reset email never comes", 80, "app", X, 3, "neg"),
    ("Love the new dark mode in the app! Great update", 1200, "app", S, 1, "pos"),
    ("Is the app available in Dutch?", 20, "app", P, 2, "neu"),
    ("App down again?? This is the third outage this week", 56000, "app", X, 4, "neg"),
    ("How do I change my password in the app settings", 35, "app", S, 2, "neu"),
    ("Your app is not loading on my iPhone, just a white screen", 240, "app", X, 3, "neu"),
    ("The app update deleted all my saved lists. Furious.", 410, "app", X, 3, "neg"),
    ("Does the app work offline on the train?", 18, "app", P, 2, "neu"),
    ("Finally an app that just works. Well done team", 90, "app", S, 1, "pos"),
    # --- stores ----------------------------------------------------------------------------
    ("The staff at your Leeds store were rude and ignored me for twenty minutes", 160, "stores", X, 3, "neg"),
    ("Is the Bristol shop open on Sunday?", 22, "stores", P, 2, "neu"),
    ("Security guard at your store followed me around because I'm black. Racist and humiliating.", 8800, "stores", X, 4, "neg"),
    ("Cashier at the Camden store was brilliant, made my day", 75, "stores", S, 1, "pos"),
    ("Do you have the blue jacket in stock in your Oxford shop?", 40, "stores", P, 2, "neu"),
    ("The floor in your store was wet with no sign and my mum slipped, she's in hospital now", 600, "stores", X, 4, "neg"),
    ("Tried to return a jacket in store and they refused without a receipt", 130, "stores", S, 2, "neg"),
    ("Smoke coming out of the fridge in your Kings Cross store, staff did nothing", 3100, "stores", X, 4, "neg"),
    # --- support (default) -----------------------------------------------------------------
    ("Hello, who can I talk to about a partnership?", 500, "support", P, 2, "neu"),
    ("You are the worst company I have ever dealt with. Disgusting.", 700, "support", X, 3, "neg"),
    ("Just wanted to say thanks, your team was amazing yesterday", 65, "support", S, 1, "pos"),
    ("I got food poisoning after eating the sandwich I bought from you", 260, "support", X, 4, "neg"),
    ("Any plans to open in Manchester?", 120, "support", P, 2, "neu"),
    ("Been on hold for 2 hours. Nobody answers. Pathetic.", 180, "support", X, 3, "neg"),
    ("My daughter had an allergic reaction, the label didn't mention nuts", 410, "support", X, 4, "neg"),
    ("Your customer service agent called me a stupid woman. Sexist and unacceptable.", 5200, "support", X, 4, "neg"),
    ("ok", 10, "support", S, 2, "neu"),
    ("Huge fan, been a customer for ten years and never disappointed", 150000, "support", S, 2, "pos"),
    ("I've complained 3 times and nobody replies. I'll be reporting you to trading standards.", 330, "support", X, 4, "neg"),
    ("Great news about the new loyalty scheme!", 44, "support", S, 1, "pos"),
    # --- big reach, neutral ----------------------------------------------------------------
    ("Anyone else noticed the new logo? Interesting choice", 240000, "support", S, 3, "pos"),
    ("Thinking of buying the premium plan, is it worth it?", 12000, "billing", P, 3, "pos"),
    # --- routing rules: source, language, handle -------------------------------------------
    ("Mein Paket ist nicht angekommen und niemand antwortet", 90, "dach", S, 2, "neu"),
    ("Die App ist super, danke!", 30, "dach", S, 2, "neu"),
    ("Bestellung Nummer 4411, wann kommt sie?", 20, "dach", S, 2, "neu"),
    # --- mixed topics: the first matching rule, or the most keyword hits, wins ---------------
    ("Parcel tracking says delivered but the refund for the missing item never came", 70, "delivery", R, 3, "neg"),
    ("The app charged my card twice when I paid for my order", 140, "billing", S, 3, "neg"),
    ("Hey, do you ship to Canada? The price on your site looks great", 85, "delivery", P, 1, "pos"),
    ("Legal action is the next step if my invoice isn't corrected by Friday", 260, "billing", X, 4, "neg"),
    ("My login works again, thanks for fixing the outage so fast", 520, "app", X, 3, "pos"),
    ("Stuck at the airport because your app won't load my ticket", 60, "app", X, 3, "neg"),
    ("Which model of headphones would you recommend for running?", 33, "support", P, 2, "neu"),
]
# fmt: on


def routing_setup(db):
    support = DepartmentFactory(slug="support", name="Support")
    support.is_default = True
    support.save()
    departments = {
        "billing": ["invoice", "refund", "charged", "payment", "money", "plan", "subscription"],
        "delivery": ["parcel", "courier", "tracking", "delivery", "deliver", "dispatched", "ship"],
        "app": ["app", "login", "log in", "password", "dark mode"],
        "stores": ["store", "shop", "cashier", "staff"],
        "web": ["website", "checkout", "site"],
        "dach": [],
    }
    made = {"support": support}
    for slug, keywords in departments.items():
        department = DepartmentFactory(slug=slug, name=slug.title())
        department.routing_keywords = keywords
        department.save()
        made[slug] = department
    # Ordered rules: language first, then explicit phrases that beat keyword counting.
    RoutingRule.objects.create(
        name="German speakers", position=0, department=made["dach"], languages=["de"]
    )
    RoutingRule.objects.create(
        name="Card problems at checkout",
        position=1,
        department=made["web"],
        keywords=["error 500", "checkout"],
    )
    RoutingRule.objects.create(
        name="Lawyers and money to billing",
        position=2,
        department=made["billing"],
        keywords=["fraud", "charged twice", "legal action"],
    )
    return made
