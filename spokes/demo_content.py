"""Demo content for Firebreak.

Original, fictional sample data used to populate a demo instance: the brand is
"Northwind Air & Stores" (short name "Northwind"), an airline-and-retail company. Every
person, handle and post below is invented for this project. The demo incident is a baggage
system outage at Amsterdam (AMS), which shows up in the flights and support queues.

Plain constants only, so the seeding code can read them without side effects:

- DEPARTMENTS: the five spokes with routing keywords and public availability statements.
- MENTIONS: department slug -> list of (text, contact_point, tone).
  contact_point: "presale", "postsale", "ready_to_receive" or "problem".
  tone: "negative", "neutral", "positive" or "threat".
- THREAD_REPLIES: follow-ups posted in threads, including advocates defending the brand.
- AUTHORS: (handle without @, display name, followers).
- GUIDELINES: hub messaging guidelines (templates, holding statements, offline, FAQ).
- COMPENSATION_POLICIES, ROLE_LIMITS (EUR discretion per role), INCIDENT, USERS.
"""

DEPARTMENTS = [
    {
        "slug": "billing",
        "name": "Billing & Refunds",
        "timezone": "Europe/Dublin",
        "availability": (
            "We answer Monday to Saturday 08:00–20:00 Irish time, usually within two hours."
        ),
        "keywords": [
            "billing",
            "bill",
            "invoice",
            "receipt",
            "charge",
            "charged",
            "overcharged",
            "refund",
            "refunded",
            "payment",
            "paid",
            "card",
            "fee",
            "fees",
            "vat",
            "chargeback",
            "debit",
            "price",
            "giftcard",
            "remboursement",
            "rechnung",
            "reembolso",
        ],
    },
    {
        "slug": "support",
        "name": "Customer Support",
        "timezone": "Europe/Amsterdam",
        "availability": "We answer every day around the clock, usually within an hour.",
        "keywords": [
            "support",
            "help",
            "helpline",
            "account",
            "login",
            "password",
            "app",
            "website",
            "chat",
            "chatbot",
            "agent",
            "hold",
            "callback",
            "complaint",
            "contact",
            "error",
            "form",
            "accessibility",
            "wheelchair",
            "kundenservice",
        ],
    },
    {
        "slug": "flights",
        "name": "Flight Operations",
        "timezone": "Europe/Amsterdam",
        "availability": (
            "We answer every day 05:00–01:00 CET, usually within 30 minutes, and around "
            "the clock during disruptions."
        ),
        "keywords": [
            "flight",
            "flights",
            "delay",
            "delayed",
            "cancelled",
            "canceled",
            "gate",
            "boarding",
            "board",
            "baggage",
            "bag",
            "bags",
            "luggage",
            "suitcase",
            "belt",
            "crew",
            "pilot",
            "captain",
            "seat",
            "checkin",
            "landed",
            "connection",
            "tarmac",
            "vol",
            "flug",
            "vuelo",
        ],
    },
    {
        "slug": "stores",
        "name": "Northwind Stores",
        "timezone": "Europe/Berlin",
        "availability": "We answer every day 07:00–23:00 CET, usually within an hour.",
        "keywords": [
            "store",
            "stores",
            "shop",
            "order",
            "ordered",
            "delivery",
            "delivered",
            "parcel",
            "courier",
            "tracking",
            "return",
            "returns",
            "item",
            "size",
            "colour",
            "color",
            "warranty",
            "dutyfree",
            "till",
            "bestellung",
            "colis",
            "talla",
        ],
    },
    {
        "slug": "loyalty",
        "name": "Northwind Rewards",
        "timezone": "Europe/Lisbon",
        "availability": (
            "We answer Monday to Friday 08:00–22:00 and weekends 10:00–18:00 Lisbon "
            "time, usually within four hours."
        ),
        "keywords": [
            "loyalty",
            "rewards",
            "points",
            "miles",
            "tier",
            "status",
            "gold",
            "silver",
            "member",
            "membership",
            "lounge",
            "upgrade",
            "redeem",
            "redeemed",
            "award",
            "voucher",
            "pooling",
            "punkte",
            "puntos",
            "fidélité",
        ],
    },
]


# (text, contact_point, tone) per department.
MENTIONS = {
    "billing": [
        (
            (
                "@northwind charged me TWICE for the same booking. 2x €412. Seriously?? "
                "#northwindfail"
            ),
            "problem",
            "negative",
        ),
        (
            "Still waiting on my refund from march. 9 weeks. NINE. @northwind where is my money",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Why is there a €35 'service fee' that never showed up until the last "
                "payment screen? Feels sneaky tbh"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "booked a flight, card declined 3 times, then all 3 went through. now I have "
                "3 pending charges 🙃"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "The invoice you sent has the wrong company name and VAT number, our "
                "accountant can't use it. Asked twice already."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Refund came back as a voucher I never asked for. I want money, not vouchers "
                "@northwind"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "hidden seat fees, hidden bag fees, hidden 'payment handling' fee... at this "
                "point the ticket price is a suggestion 🙄"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Your chatbot told me the refund was 'processed' on the 2nd. My bank says "
                "nothing has arrived. Who do I believe?"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Currency conversion on your site charged me in EUR when I picked GBP. Lost "
                "almost 20 quid on the rate."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "I've flown Northwind for years and never had a complaint until now. In May "
                "I cancelled a flight within the 24h window, which your own website says is "
                "free. I was charged a €60 cancellation fee anyway. I called and was told it "
                "would be reversed 'within 5 days'. It's now July. Three emails, two calls, "
                "zero reversal. I'm not angry about €60, I'm angry that nobody seems to own "
                "the problem. Two stars because the crew on my last flight was lovely. ⭐⭐"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "So the 'price freeze' I paid €15 for... did nothing? Price went up anyway "
                "when I came back to book. Refund that at least"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Northwind billed my card for a store order I cancelled 10 mins after "
                "placing it. Cancellation email AND the charge. Great."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "3rd time asking for a proper receipt with my name on it. My employer won't "
                "reimburse 'Dear Customer' 🤷‍♀️"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "payment page keeps timing out at the card verification step and I've now "
                "got a 'failed booking' hold on my account?? twice??"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Ich wurde doppelt belastet und niemand antwortet auf meine Mails. Sehr "
                "enttäuschend, @northwind."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Remboursement promis il y a 6 semaines, toujours rien. C'est inadmissible. "
                "#Northwind"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "why does splitting payment between two cards cost €9 extra. it's literally "
                "the same amount of money"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Got an email saying my payment failed and my booking will be cancelled in "
                "24h. Money has already left my account. Panicking a bit here @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "the refund form asks for a 'transaction reference' that appears nowhere on "
                "my receipt. circular nonsense"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Charged a €25 'name change fee' to fix a typo YOUR form made (it "
                "autocorrected my surname). Not ok, @northwind."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "So the gift card balance just... vanished? Had €80 on it last month, now it "
                "says €0. No transactions listed."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Promised a partial refund for the downgrade from business to economy. "
                "Received €12. For a 9 hour flight. Come on."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "your billing team closes my ticket as 'resolved' every time without "
                "resolving anything 😤"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Does Northwind accept bank transfer for group bookings over 10 people? "
                "Can't find it in the FAQ"
            ),
            "presale",
            "neutral",
        ),
        (
            (
                "Quick q: is VAT included in the prices shown on the stores site or added at "
                "checkout?"
            ),
            "presale",
            "neutral",
        ),
        (
            (
                "How long does a refund to a credit card normally take with you? Just so I "
                "know when to start worrying 😅"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "Can I get one invoice for the flight and the extra bag together, or are "
                "they always separate?"
            ),
            "postsale",
            "neutral",
        ),
        (
            (
                "Submitted my refund request yesterday, got an auto-reply. Is that all I "
                "need to do or should I also call?"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "Are the pay-in-instalments options available for flights to Asia or only "
                "within Europe?"
            ),
            "presale",
            "neutral",
        ),
        (
            "¿Se puede pagar con tarjeta de débito en la web o solo con crédito? Gracias",
            "presale",
            "neutral",
        ),
        (
            (
                "Paid with a voucher + card. If I cancel, does the card part come back as "
                "money or as a voucher?"
            ),
            "postsale",
            "neutral",
        ),
        (
            (
                "Hi @northwind, my company needs invoices sent to a separate finance "
                "address. Where do I change that?"
            ),
            "postsale",
            "neutral",
        ),
        (
            "Refund showed as 'pending' in my banking app this morning. Guess it's on its way.",
            "ready_to_receive",
            "neutral",
        ),
        (
            "Is the €15 price freeze refundable if I end up booking anyway?",
            "presale",
            "neutral",
        ),
        (
            (
                "Which currency will I be charged in if I book from Switzerland but the "
                "flight leaves from Lisbon?"
            ),
            "presale",
            "neutral",
        ),
        (
            "do the store gift cards work for flights too or only in the shops",
            "presale",
            "neutral",
        ),
        (
            (
                "Refund landed in 4 days, way faster than I expected. Thanks @northwind "
                "billing team 🙏"
            ),
            "ready_to_receive",
            "positive",
        ),
        (
            (
                "Shoutout to whoever in Northwind billing sorted my double charge over DM in "
                "20 minutes. Human and quick. More of this."
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "Honestly the clearest invoice I've ever had from an airline. Every fee "
                "itemised. Our finance dept is thrilled lol"
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "Was bracing for a fight over the cancellation fee but they just waived it. "
                "Pleasantly surprised 👏"
            ),
            "postsale",
            "positive",
        ),
        (
            "Danke an das Northwind-Team, die Rückerstattung kam schnell und ohne Diskussion.",
            "ready_to_receive",
            "positive",
        ),
        (
            "Price freeze actually worked for once, saved €90 on my summer trip ☀️ #northwind",
            "presale",
            "positive",
        ),
        (
            (
                "Agent M.K. explained every line of my bill and fixed the wrong charge on "
                "the spot. 5 stars for her."
            ),
            "problem",
            "positive",
        ),
        (
            (
                "I appreciate that the refund email tells you exactly which day the money "
                "will arrive. Small thing, big difference."
            ),
            "ready_to_receive",
            "positive",
        ),
        (
            (
                "after a rough start, @northwind refunded the seat fee and apologised "
                "properly. respect."
            ),
            "problem",
            "positive",
        ),
        (
            "split payment with my sister was so easy in the app 💜",
            "presale",
            "positive",
        ),
        (
            "Remboursement reçu en 3 jours, merci Northwind !",
            "ready_to_receive",
            "positive",
        ),
        ("Refund me today or my lawyer will be in touch.", "problem", "threat"),
        (
            (
                "I have filed a chargeback with my bank and reported this to the consumer "
                "protection authority. Expect to hear from them."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "If the €640 isn't back in my account by Friday I'm taking Northwind to "
                "small claims court. I have every email saved."
            ),
            "ready_to_receive",
            "threat",
        ),
        (
            (
                "Your site showed someone else's billing address and card digits on MY "
                "receipt. That's a data breach and I'm reporting it to the data protection "
                "regulator."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "Going to the press with this. 4 months, no refund, a family of five stuck "
                "with the bill. Journalists love this kind of story."
            ),
            "postsale",
            "threat",
        ),
    ],
    "support": [
        (
            (
                "On hold for 2 hours 14 minutes with @northwind support. The hold music is "
                "burned into my brain now 🎻😩"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Your app logs me out every time I open it. Reinstalled twice. Still broken. "
                "#northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Bag didn't arrive in Amsterdam, tried to call your helpline and got 'all "
                "our agents are busy' then disconnected. 5 times. @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Is anyone at Northwind actually reading DMs? Sent 4 messages about my "
                "missing suitcase from AMS, read receipts on, zero reply."
            ),
            "problem",
            "negative",
        ),
        (
            "The chatbot keeps sending me to the FAQ. I don't need the FAQ, I need a human.",
            "problem",
            "negative",
        ),
        (
            (
                "password reset email never arrives. checked spam. checked everything. can't "
                "get into my booking."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Website crashes at the last step on my phone every time. Tried 3 browsers. "
                "Going to book elsewhere."
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Asked support a simple yes/no question, got a copy-paste essay that didn't "
                "answer it. 🤦"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Whole Amsterdam arrivals hall is a sea of people with no bags and not one "
                "Northwind person around to tell us anything #AMS #northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Lost baggage form on your website gives 'error 500' when I hit submit. "
                "Filled it in 3 times. Stuck at AMS with nothing."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Support told me one thing on the phone and the opposite by email. Which one "
                "is the actual policy?"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "I've explained my issue to 5 different agents. Each one asks me to start "
                "from the beginning. Do you not keep notes?"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "your complaint form has a 500 character limit. my complaint is longer than "
                "that, which says a lot"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Lange Wartezeit, unfreundliche Antwort und am Ende keine Lösung. "
                "Kundenservice mangelhaft."
            ),
            "problem",
            "negative",
        ),
        (
            "Why does the 'contact us' page send me in a loop back to the help centre 🙃",
            "presale",
            "negative",
        ),
        (
            (
                "1 star. Support ticket open for 19 days. Every update is 'we are looking "
                "into it'. I understand companies get busy, but three weeks of template "
                "updates is not support, it's stalling. I just want someone to tell me "
                "honestly whether my issue can be fixed or not. Until then I'm telling "
                "everyone I know to think twice."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Nobody at the AMS desk knew anything about the baggage system being down. "
                "We found out from other passengers' phones."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "my account got merged with my dad's (same name) and now I can see HIS "
                "bookings. please fix 😬"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "The app update removed my boarding pass the night before my flight. Thanks "
                "for the stress."
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            "live chat 'available 24/7' they said. chat closed at 9pm they did.",
            "presale",
            "negative",
        ),
        (
            "Servicio al cliente pésimo. Tres días sin respuesta a mi correo. @northwind",
            "problem",
            "negative",
        ),
        (
            (
                "I get that there's an outage at Amsterdam but at least post an update. The "
                "silence is the worst part. @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            "Support rep hung up on me mid-sentence. Maybe by accident, but nobody called back.",
            "problem",
            "negative",
        ),
        (
            "How do I change the email address on my Northwind account?",
            "presale",
            "neutral",
        ),
        (
            "Is there still a phone number for support or is it chat only now?",
            "presale",
            "neutral",
        ),
        (
            (
                "Hearing there's a baggage system problem at Amsterdam, can anyone from "
                "@northwind confirm? Landing there in 3h"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            "Where do I send a complaint in writing? Need a postal address for my insurance.",
            "postsale",
            "neutral",
        ),
        ("Does the app have dark mode yet? asking for my eyes", "presale", "neutral"),
        (
            "Submitted a ticket. Got a reference number. Now we wait ⏳",
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "Can someone from support call me back instead of me waiting on hold? Is "
                "that an option?"
            ),
            "problem",
            "neutral",
        ),
        (
            "Est-ce que le service client répond en français le week-end ?",
            "presale",
            "neutral",
        ),
        (
            "what's the best way to reach you about an item I left on board, form or DM?",
            "postsale",
            "neutral",
        ),
        (
            (
                "My flight into AMS landed fine but the belt says 'delayed' for all bags. "
                "Anyone know what's going on?"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "Is wheelchair assistance something I need to request in advance or can I "
                "ask at the airport?"
            ),
            "presale",
            "neutral",
        ),
        (
            "Got a survey after my support call. Filled it in. Let's see if it goes anywhere.",
            "postsale",
            "neutral",
        ),
        (
            (
                "Any update on the Amsterdam baggage situation? My friend is still waiting "
                "at the belt."
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "The support agent (initials J.R.) stayed on the line until my rebooking was "
                "confirmed. Above and beyond 💙"
            ),
            "problem",
            "positive",
        ),
        (
            "Gotta say, @northwind replied to my DM in 6 minutes on a Sunday. Didn't expect that.",
            "postsale",
            "positive",
        ),
        (
            (
                "Credit where it's due, they called ME back after the AMS baggage chaos to "
                "check I'd got my suitcase. Nice touch."
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "Support chat fixed my account login in 2 minutes. Why can't all companies "
                "be like this"
            ),
            "problem",
            "positive",
        ),
        (
            "Super hilfsbereiter Kundenservice, danke für die schnelle Hilfe! 👍",
            "problem",
            "positive",
        ),
        (
            "new help centre is actually helpful?? found my answer in 30 seconds",
            "presale",
            "positive",
        ),
        (
            (
                "Had to contact support 3 times this year and every time it was a real "
                "person who cared. Customer for life."
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "Thank you @northwind for the honest update about the Amsterdam bags. Not "
                "happy about it, but I appreciate being told."
            ),
            "ready_to_receive",
            "positive",
        ),
        (
            "El agente fue muy amable y resolvió todo en una sola llamada. ¡Gracias!",
            "problem",
            "positive",
        ),
        (
            (
                "the assistance team made my mum's trip so easy, wheelchair waiting at the "
                "gate and everything 🥹"
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "ok the callback feature is genius. no hold music, they just rang me at the "
                "time I picked"
            ),
            "problem",
            "positive",
        ),
        (
            (
                "My son's insulin is in the bag stuck at Amsterdam. This is a medical "
                "emergency. I need it located within the hour."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "Your staff member was verbally abusive to me at the desk. I have it on "
                "video and will be filing a formal complaint and consulting a solicitor."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "If my bag with my work laptop isn't returned from AMS by tomorrow I will "
                "hold Northwind liable for all lost earnings, in court if necessary."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "The account mix-up showed me another customer's passport number. That's a "
                "serious privacy violation and I'm reporting it."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "Posting the recording of my support call publicly tonight unless someone "
                "senior contacts me. 40k followers will hear it."
            ),
            "problem",
            "threat",
        ),
    ],
    "flights": [
        (
            (
                "Flight NW 482 delayed 4 hours and counting. No food vouchers, no info, just "
                "a screen saying DELAYED. @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Landed in Amsterdam 2 hours ago. Still no bags. Belt 7 hasn't moved once. "
                "#northwind #AMS"
            ),
            "problem",
            "negative",
        ),
        ("cancelled. again. third time this year @northwind 😡", "problem", "negative"),
        (
            (
                "They're saying the baggage system at Amsterdam is down and bags will be "
                "'forwarded'. Forwarded WHEN? I'm flying on to Oslo tonight with nothing."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Gate changed 3 times in 40 minutes, the last one announced 5 mins before "
                "boarding. Sprinting through the terminal with a toddler, thanks."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "The extra-legroom seat I paid for was given away. Sat in the back by the "
                "toilets for 3h."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Crew on NW 219 ignored the call button for an hour. Not once did anyone "
                "walk the aisle."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Missed my connection because the first leg left late. Rebooked onto a "
                "flight TOMORROW. No hotel offered."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Can't check in online, app says 'contact the airline'. I AM contacting the "
                "airline. Hi. 👋"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Boarding was total chaos. No groups, no order, everyone just pushing. "
                "Please sort this out."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Whole flight from Lisbon sitting on the tarmac in Amsterdam because 'there "
                "is nowhere to unload the bags'. 50 minutes and counting."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Vol annulé sans prévenir, appris en arrivant à l'aéroport. Aucune excuse. "
                "Honteux. @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Flug 3 Stunden verspätet und keine einzige Durchsage. Schlechte "
                "Kommunikation, @northwind."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Paid for priority boarding. Priority boarding didn't happen. Everyone "
                "boarded at once."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Long review, sorry: I flew Northwind from Amsterdam to Madrid with my "
                "elderly father. The flight itself was fine, the experience around it "
                "wasn't. The check-in queue took 75 minutes because only two desks were "
                "open. Our gate changed without an announcement. On arrival, the wheelchair "
                "we booked weeks in advance didn't show up and we waited 40 minutes on the "
                "aircraft. Staff were apologetic but clearly understaffed. I'd love to give "
                "a better score but I can't. 2/5."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Flew in from Berlin, my bag's somewhere in the Amsterdam basement "
                "apparently. Staff told us to 'go home and wait for a call'. Cool cool."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "why does the status stay green 'on time' until 5 minutes before departure "
                "and then jump to a 2h delay 🙄"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Air con broken for the whole boarding process, easily 30 degrees inside the "
                "cabin. Not ok with kids on board."
            ),
            "postsale",
            "negative",
        ),
        (
            "Overbooked and I got bumped despite checking in 24h early. How does that even work",
            "problem",
            "negative",
        ),
        (
            "Vuelo retrasado 5 horas y nadie nos dio ni agua. Muy mal, Northwind.",
            "problem",
            "negative",
        ),
        (
            (
                "Schedule change moved my flight 6 hours earlier and the only notice was an "
                "email at 2am."
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "The vegan meal I pre-ordered wasn't loaded. Second time. I just didn't eat "
                "for 7 hours."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Stuck at AMS baggage claim with 200 other people. Rumour says the whole "
                "system crashed. Can @northwind confirm anything??"
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Is flight NW 1120 to Porto tomorrow still on schedule? The app shows two "
                "different times."
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            "What's the cabin bag size limit on the smaller regional planes?",
            "presale",
            "neutral",
        ),
        (
            "Can I bring my guitar on board or does it need a seat of its own?",
            "presale",
            "neutral",
        ),
        (
            "Are there direct flights from Hamburg to Reykjavik in winter or only in summer?",
            "presale",
            "neutral",
        ),
        (
            "Flying Amsterdam → Nairobi next week, can I check my bags all the way through?",
            "presale",
            "neutral",
        ),
        (
            (
                "Heard the AMS baggage system is down. Should I still check in a bag "
                "tomorrow morning or go hand luggage only?"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            "How early does the gate close for international flights?",
            "presale",
            "neutral",
        ),
        (
            "Quelle est la franchise bagage pour un vol Paris–Montréal en classe éco ?",
            "presale",
            "neutral",
        ),
        (
            (
                "Just landed in AMS, captain says bags will take 'a while' due to a "
                "technical issue. Grabbing a coffee ☕"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            "Can I still change my seat after check-in or is it locked?",
            "ready_to_receive",
            "neutral",
        ),
        (
            "Travelling with an assistance dog, which documents do you need from me?",
            "presale",
            "neutral",
        ),
        ("Is the wifi on the new planes free or paid?", "presale", "neutral"),
        (
            (
                "Got a text saying my flight is 'retimed by 15 min'. Does that affect my "
                "connection in Amsterdam?"
            ),
            "ready_to_receive",
            "neutral",
        ),
        (
            (
                "Captain on NW 77 gave the best delay announcements ever. Honest, funny, an "
                "update every 15 min. That's how you do it 👨‍✈️"
            ),
            "postsale",
            "positive",
        ),
        (
            "Landed 25 minutes early!! First time in my life 🎉 #northwind",
            "postsale",
            "positive",
        ),
        (
            (
                "Crew noticed it was my daughter's birthday and brought her a card signed by "
                "the pilots. She's 6 and now wants to fly planes ✈️💛"
            ),
            "postsale",
            "positive",
        ),
        (
            "Rebooked automatically onto the next flight before I even reached the desk. Slick.",
            "problem",
            "positive",
        ),
        (
            (
                "Ground staff at Amsterdam handing out water and snacks while we wait for "
                "bags. Not ideal, but at least they're trying 🙏"
            ),
            "problem",
            "positive",
        ),
        (
            "Sehr angenehmer Flug, freundliche Crew, pünktlich. Gerne wieder!",
            "postsale",
            "positive",
        ),
        (
            "The new seats are SO much comfier. Actually slept on a morning flight for once.",
            "postsale",
            "positive",
        ),
        (
            (
                "They said they'd deliver my bag to the hotel after the AMS mess and it was "
                "there by 9am. Fair play @northwind"
            ),
            "postsale",
            "positive",
        ),
        (
            "Smoothest check-in ever, 4 minutes from the door to security.",
            "ready_to_receive",
            "positive",
        ),
        ("Tripulación encantadora y vuelo puntual. ¡Repetiré!", "postsale", "positive"),
        (
            "the pilot came out to chat with the kids after landing, absolute legend",
            "postsale",
            "positive",
        ),
        (
            (
                "There was a strong smell of smoke in the cabin on NW 305 and crew told us "
                "it was 'normal'. I'm reporting this to the aviation safety authority."
            ),
            "postsale",
            "threat",
        ),
        (
            (
                "My medication is in my checked bag somewhere at Amsterdam and I need it "
                "tonight. If I end up in hospital, Northwind will be responsible."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "Under EU passenger rights you owe me €600 for this cancellation. Pay it or "
                "I'll start a claim through a claims agency."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "A passenger was openly drunk and aggressive the whole flight and crew did "
                "nothing. Someone could have been hurt. Filing a formal safety complaint."
            ),
            "postsale",
            "threat",
        ),
        (
            (
                "Left alone in a wheelchair at the gate for 90 minutes. This is "
                "discrimination and I'm speaking to a disability rights lawyer."
            ),
            "problem",
            "threat",
        ),
    ],
    "stores": [
        (
            (
                "Ordered a suitcase from the Northwind shop 3 weeks ago, tracking hasn't "
                "updated in 12 days 📦❓"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Received a blue backpack. I ordered a green one. The return label doesn't "
                "work either. @northwind"
            ),
            "problem",
            "negative",
        ),
        (
            "Airport store staff at gate B were so rude when I asked for a different size 🙄",
            "postsale",
            "negative",
        ),
        (
            (
                "Price on the shelf said €24.99, charged €34.99 at the till. 'System price' "
                "apparently. Not my problem."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Headphones stopped working after 2 weeks. Store says 'contact the "
                "manufacturer'. You sold them to me."
            ),
            "problem",
            "negative",
        ),
        (
            (
                "Click & collect order 'ready' according to the email, store says it's not "
                "there. Came in on my day off for nothing."
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "the website says in stock, the app says out of stock, the store says 'we "
                "never had it'. which one is lying"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Return policy says 30 days. I'm on day 12 and they refused the return "
                "because the box was opened. How else do I check it??"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Courier left my parcel in the rain outside the building. Box soaked, "
                "contents ruined."
            ),
            "problem",
            "negative",
        ),
        (
            "Bestellung kam beschädigt an. Seit einer Woche warte ich auf eine Antwort.",
            "problem",
            "negative",
        ),
        (
            "Delivery slot 8–12. It's 4pm. No parcel, no text, no call.",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "The duty-free perfume I bought at the airport was clearly a tester bottle, "
                "half the label scratched off."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Queue at the airport store was 20 mins with one till open while 3 staff "
                "restocked shelves. Nearly missed my boarding."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "The 'lifetime warranty' on the cabin bag apparently doesn't cover the "
                "wheels. Which are the only part that ever breaks."
            ),
            "problem",
            "negative",
        ),
        (
            "Why does shipping to Ireland cost €19 when shipping to Germany is free?",
            "presale",
            "negative",
        ),
        (
            (
                "2 stars. I ordered the travel set (neck pillow, eye mask, adapter) as a "
                "gift. Delivery was late, which I could live with, but the adapter was "
                "missing even though the packing slip listed it. Support asked me to send "
                "photos of an item that isn't there. I sent a photo of the empty space in "
                "the box. Still waiting. The pillow is good quality, to be fair."
            ),
            "problem",
            "negative",
        ),
        ("Ordered 2, got 1, charged for 2. Classic.", "problem", "negative"),
        (
            "La talla que me enviaron no es la que pedí. Y el cambio tarda 3 semanas. 😒",
            "problem",
            "negative",
        ),
        (
            "Store promo said 'buy 2 get 1 free', the till didn't apply it, the manager shrugged.",
            "postsale",
            "negative",
        ),
        (
            "your online shop search is useless. typed 'backpack', got socks",
            "presale",
            "negative",
        ),
        (
            (
                "Refund for my returned jacket still not processed after 5 weeks. Tracking "
                "shows you received it on the 3rd."
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            "Colis marqué 'livré' mais je n'ai rien reçu. Personne ne répond. @northwind",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "The chocolate I bought in the airport shop was already past its best-before "
                "date. Noticed after take-off 😑"
            ),
            "postsale",
            "negative",
        ),
        ("Do you ship the Northwind travel collection to Canada?", "presale", "neutral"),
        ("Is the airport store in terminal 2 open before 6am?", "presale", "neutral"),
        (
            "Can I reserve an item online and pick it up at the gate store?",
            "presale",
            "neutral",
        ),
        (
            "What's the return window for things bought in the duty-free shop?",
            "postsale",
            "neutral",
        ),
        (
            "Order says 'dispatched'. How long from dispatch to delivery usually?",
            "ready_to_receive",
            "neutral",
        ),
        (
            "Do you have the carry-on spinner in the 55cm size, or only 60?",
            "presale",
            "neutral",
        ),
        ("Gibt es die Reisekissen auch in anderen Farben?", "presale", "neutral"),
        ("If I order today, will it arrive before the 14th?", "presale", "neutral"),
        (
            "Can I change the delivery address after ordering?",
            "ready_to_receive",
            "neutral",
        ),
        ("Is there a student discount in Northwind stores?", "presale", "neutral"),
        (
            "Bought a bag in the store, can I return it online instead?",
            "postsale",
            "neutral",
        ),
        (
            "Parcel's with the neighbour according to tracking, will pop round later 📦",
            "ready_to_receive",
            "neutral",
        ),
        (
            "Any sale coming up in November? Holding off on buying a suitcase until then",
            "presale",
            "neutral",
        ),
        (
            "Love my new Northwind cabin bag, survived 8 flights and still looks new 🧳✨",
            "postsale",
            "positive",
        ),
        (
            (
                "Store assistant at the Lisbon airport shop helped me find a gift in 5 "
                "minutes with my boarding call ringing. Hero."
            ),
            "postsale",
            "positive",
        ),
        (
            "Ordered Monday, arrived Tuesday. Beautifully packed too. Impressed! @northwind",
            "ready_to_receive",
            "positive",
        ),
        (
            (
                "They replaced my broken suitcase handle no questions asked. This is why I "
                "keep coming back."
            ),
            "problem",
            "positive",
        ),
        (
            "Return was super easy, dropped it at the store, refund on my card the same day",
            "postsale",
            "positive",
        ),
        ("Super Qualität, schnelle Lieferung, gerne wieder 👍", "postsale", "positive"),
        (
            (
                "The travel adapter I grabbed at the gate saved my whole business trip lol, "
                "thank you Northwind shop"
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "Wrong colour arrived, they sent the right one the next day and told me to "
                "keep the other one 😮 wow"
            ),
            "problem",
            "positive",
        ),
        (
            "Les vendeuses du magasin à l'aéroport sont adorables, merci pour les conseils !",
            "postsale",
            "positive",
        ),
        (
            (
                "Neck pillow from the Northwind shop is the only reason I survived that "
                "red-eye 😴 10/10"
            ),
            "postsale",
            "positive",
        ),
        (
            "Pre-ordered the limited edition tote, got a handwritten thank-you note in the box 🥹",
            "ready_to_receive",
            "positive",
        ),
        (
            (
                "The power bank I bought in your airport store overheated and scorched my "
                "bag. It could have caught fire on the plane. I'm reporting it to the "
                "consumer safety authority."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "My child had an allergic reaction to snacks from your store. The label "
                "didn't list nuts. I'm seeking legal advice."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "If I'm not refunded for the damaged suitcase by Monday, I'll be filing a "
                "claim in small claims court."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "The kids' travel toy has small parts that come off easily. That's a choking "
                "hazard and it should be recalled. Reporting it."
            ),
            "postsale",
            "threat",
        ),
        (
            (
                "Your delivery driver reversed into my car and drove off. I have dashcam "
                "footage and I'm going to the police and to your insurer."
            ),
            "problem",
            "threat",
        ),
    ],
    "loyalty": [
        (
            (
                "@northwind my miles from last month's trip still haven't posted. 3 flights, "
                "0 points 🙃"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            "Lost Gold status by 40 points because a flight YOU cancelled didn't count. Unreal.",
            "problem",
            "negative",
        ),
        (
            (
                "Tried to redeem points for a flight, zero award seats on any date for 6 "
                "months. What's the point of points?"
            ),
            "presale",
            "negative",
        ),
        (
            (
                "Lounge turned me away as a Silver member even though the website says "
                "Silver gets access on long-haul."
            ),
            "problem",
            "negative",
        ),
        (
            "Points expired without a single warning email. 24,000 points gone. Years of flying.",
            "problem",
            "negative",
        ),
        (
            (
                "the new rewards programme changes are a massive downgrade for regular "
                "flyers, and you know it"
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "Tried to use my upgrade voucher, agent said 'the system doesn't accept it'. "
                "It expires next week."
            ),
            "problem",
            "negative",
        ),
        (
            "Why does my app show 12,400 points and the website 9,100? Which one is real?",
            "problem",
            "negative",
        ),
        (
            (
                "Partner hotel stay from April never credited. Partner says ask you, you say "
                "ask them. Ping pong 🏓"
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            "Das Meilenprogramm ist ein Witz. Punkte sammeln dauert ewig, einlösen ist unmöglich.",
            "presale",
            "negative",
        ),
        (
            "Status match request submitted 5 weeks ago, still no answer.",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Redeemed points for a shop voucher, code 'invalid' at checkout. Points gone "
                "from my account anyway."
            ),
            "problem",
            "negative",
        ),
        (
            "Paying €180 in 'taxes and fees' on an award ticket is not a reward, it's a discount.",
            "presale",
            "negative",
        ),
        (
            "Gold card still hasn't arrived in the post 2 months after requalifying.",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "After 11 years of loyalty, I feel like a number. I've held top-tier status "
                "for most of those years, and the recent changes removed free seat "
                "selection, cut lounge guest passes and made upgrades nearly impossible. I'm "
                "not entitled to anything, but nobody explained why. A short, honest note "
                "from the programme team would have gone a long way. I'll probably let my "
                "status lapse."
            ),
            "postsale",
            "negative",
        ),
        (
            (
                "family pooling doesn't work, says my daughter's account is 'ineligible' "
                "with no reason given"
            ),
            "problem",
            "negative",
        ),
        (
            "Calling the 'dedicated' Gold line: 45 minutes on hold. Dedicated to what exactly?",
            "problem",
            "negative",
        ),
        (
            (
                "Mis puntos de un vuelo de febrero nunca aparecieron. Ya envié el formulario "
                "dos veces."
            ),
            "ready_to_receive",
            "negative",
        ),
        (
            "My lounge guest pass shows as 'already used'. I never used it.",
            "problem",
            "negative",
        ),
        (
            (
                "Points for store purchases stopped counting since the app update. Ordered "
                "twice, zero points."
            ),
            "problem",
            "negative",
        ),
        (
            "Les miles de mon vol n'ont jamais été crédités. Service fidélité injoignable.",
            "ready_to_receive",
            "negative",
        ),
        (
            (
                "Booked an award seat, then got a schedule change and the 'equivalent' "
                "flight costs 20k more points?!"
            ),
            "problem",
            "negative",
        ),
        (
            "the birthday bonus points promised in the welcome email never showed up lol",
            "ready_to_receive",
            "negative",
        ),
        (
            "How many points do I need for a return trip to Lisbon in economy?",
            "presale",
            "neutral",
        ),
        (
            "Do points earned on partner airlines count towards tier status?",
            "presale",
            "neutral",
        ),
        ("Can I transfer points to my partner's account?", "presale", "neutral"),
        (
            "When does the qualifying year reset, in January or on my join date?",
            "presale",
            "neutral",
        ),
        (
            "Claimed missing miles via the form today. How long does it usually take to show?",
            "ready_to_receive",
            "neutral",
        ),
        (
            "Is lounge access included for Silver on short-haul or only long-haul?",
            "presale",
            "neutral",
        ),
        (
            "Does the Northwind credit card earn points on foreign purchases?",
            "presale",
            "neutral",
        ),
        (
            "If I downgrade my ticket, do I lose the points I'd have earned on the original fare?",
            "postsale",
            "neutral",
        ),
        ("¿Los puntos caducan si no vuelo en un año?", "presale", "neutral"),
        (
            "Just joined Northwind Rewards. Anything I should know as a newbie? 😊",
            "presale",
            "neutral",
        ),
        (
            "Upgrade request pending, will I know before the flight or only at the gate?",
            "ready_to_receive",
            "neutral",
        ),
        ("Can I use points + cash together for a store order?", "presale", "neutral"),
        (
            "What happens to my status if I take parental leave and don't fly for a year?",
            "presale",
            "neutral",
        ),
        (
            "Finally hit Gold 🥇 after 18 months of commuting. Thanks @northwind!",
            "postsale",
            "positive",
        ),
        (
            (
                "Surprise upgrade to business on our anniversary trip 🥂 whoever did that, "
                "thank you!!"
            ),
            "postsale",
            "positive",
        ),
        (
            "Missing points claim sorted in 2 days, very smooth.",
            "ready_to_receive",
            "positive",
        ),
        (
            "The lounge in Amsterdam is lovely, staff remembered my name from last time ☕",
            "postsale",
            "positive",
        ),
        (
            "Used points for my mum's flight to visit us. She cried. Best use of points ever 💛",
            "postsale",
            "positive",
        ),
        (
            (
                "Status extension during my parental leave: really appreciated, @northwind, "
                "that's humane."
            ),
            "problem",
            "positive",
        ),
        (
            "Das neue Punkte-Dashboard in der App ist richtig übersichtlich. Daumen hoch!",
            "postsale",
            "positive",
        ),
        (
            "Redeemed points at the airport shop in 10 seconds, just scanned my card. Easy.",
            "postsale",
            "positive",
        ),
        (
            (
                "the rewards team called me to say my status would lapse and how to keep it. "
                "never had an airline do that"
            ),
            "ready_to_receive",
            "positive",
        ),
        (
            "Merci pour le surclassement, vol parfait ! #Northwind",
            "postsale",
            "positive",
        ),
        (
            (
                "Family pooling is a game changer, we finally have enough for a holiday "
                "together ✈️👨‍👩‍👧"
            ),
            "postsale",
            "positive",
        ),
        (
            (
                "You removed 60,000 of my points without explanation. They're mine. I've "
                "contacted a consumer rights lawyer."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "Someone logged into my rewards account and spent all my points. If you "
                "don't restore them and secure the account, I'm reporting this to the police "
                "and the data regulator."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "The programme terms were changed retroactively, which is likely unlawful. "
                "I'll be joining the group claim others are organising."
            ),
            "postsale",
            "threat",
        ),
        (
            (
                "If my status isn't restored by Friday I'll publish the whole email thread "
                "with your team. Plenty of frequent flyer forums will be interested."
            ),
            "problem",
            "threat",
        ),
        (
            (
                "The lounge served me a dish labelled gluten-free that wasn't. I'm coeliac "
                "and was ill for two days. Filing a formal complaint with the food safety "
                "authority."
            ),
            "problem",
            "threat",
        ),
    ],
}


THREAD_REPLIES = [
    "Same here, been waiting 3 weeks 😩",
    "Honestly they sorted mine in 10 minutes, give them a chance",
    "+1, exactly the same thing happened to me yesterday",
    "Did you try DMing them? That's what worked for me",
    "Any update? Still nothing on my side.",
    "Update: they just called me. All sorted. Thanks everyone.",
    "To be fair the crew on my flight were brilliant, it's the system not the people",
    "Been flying with them for 10 years and never had a problem. Bad luck I think.",
    "This is why I always travel hand luggage only 🤷",
    "lol same, welcome to the club",
    "@northwind please look at this, it's been days",
    "Got my bag back this morning, courier dropped it at home. Hang in there!",
    (
        "Not defending them, but the Amsterdam thing is the airport's system, every "
        "airline there is affected."
    ),
    (
        "Had the same issue and their billing team refunded me within a week. Keep "
        "your reference number handy."
    ),
    "Are you sure it's not your bank holding it? Mine took 5 days on the bank's side.",
    "Following, I'm in the same boat",
    "Rien de nouveau de mon côté non plus.",
    "Bei mir hat es auch ewig gedauert, aber am Ende kam alles an.",
    "Their chat is way faster than the phone line fwiw",
    "Thanks for the update, that's reassuring",
    "Can confirm, the gate staff were super kind to my grandma",
    "Still waiting here. Day 4.",
    "The agent who helped me was lovely, ask for the callback option",
    "Screenshot everything, it helps a lot if you need to escalate",
    "Mine was fixed after one DM. Persistence pays off 💪",
    "Yo también, llevo una semana esperando.",
    "Calm down mate, it's a delay not the end of the world",
    "They replaced my broken case without any fuss last year. Give them a day.",
]


# (handle, display_name, followers): a few influencers, mostly small accounts.
AUTHORS = [
    ("wanderwithzuri", "Zuri Mwangi", 2500000),
    ("skyhopper_lena", "Lena Bergström | Sky Hopper", 1200000),
    ("pointsnerd_dev", "Dev Malhotra", 640000),
    ("gatecrash_tv", "Gatecrash TV", 310000),
    ("ella_eats_abroad", "Ella Moreau", 98000),
    ("the_nomad_kenji", "Kenji Watanabe", 45200),
    ("alex_k_travels", "Alex Kim", 27500),
    ("runway_rosa", "Rosa Delgado", 21800),
    ("mo_travels_light", "Mohammed Idris", 19600),
    ("arjun_n", "Arjun Nair", 15300),
    ("bagsandbrews", "Tomás Ferreira", 12400),
    ("planespotter_ams", "AMS Planespotter", 11200),
    ("mariana_souza", "Mariana Souza", 8600),
    ("charlotte_b", "Charlotte Brown", 7400),
    ("daily_commuter_ams", "Pieter de Vries", 6300),
    ("noor_alsaadi", "Noor Al-Saadi", 5120),
    ("leilani_k", "Leilani Kahananui", 4410),
    ("tariq_rahman", "Tariq Rahman", 4130),
    ("farah_siddiqui", "Farah Siddiqui", 3870),
    ("priya_r_travels", "Priya Raman", 3420),
    ("hyejin_park", "Park Hye-jin", 3390),
    ("zara_ahmed", "Zara Ahmed", 2950),
    ("thandi_n", "Thandiwe Ndlovu", 2890),
    ("aisha_k", "Aisha Khan", 2730),
    ("isabel_lima", "Isabel Lima", 2480),
    ("selin_aydin", "Selin Aydın", 2215),
    ("chloe_mtl", "Chloé Tremblay", 2210),
    ("meiling_tan", "Mei Ling Tan", 2020),
    ("katya_v", "Ekaterina Volkova", 1877),
    ("bruno_almeida", "Bruno Almeida", 1870),
    ("marta_kow", "Marta Kowalczyk", 1840),
    ("ngozi_eze", "Ngozi Eze", 1760),
    ("youssef_amrani", "Youssef Amrani", 1620),
    ("carlos_mdz", "Carlos Méndez", 1560),
    ("olga_belova", "Olga Belova", 1502),
    ("valentina_g", "Valentina García", 1450),
    ("marco_not_polo", "Marco (not that one)", 1409),
    ("lotte_bakker", "Lotte Bakker", 1390),
    ("nadia_benali", "Nadia Benali", 1334),
    ("yuki_t", "Yuki Tanaka", 1290),
    ("ozzy_kaya", "Osman Kaya", 1203),
    ("adaeze_obi", "Adaeze Obi", 1188),
    ("lucia_fdez", "Lucía Fernández", 1120),
    ("moses_kamau", "Moses Kamau", 1095),
    ("diego_vargas", "Diego Vargas", 1034),
    ("lea_martin", "Léa Martin", 1018),
    ("giulia_rossi_mi", "Giulia Rossi", 720),
    ("saoirse_ok", "Saoirse O'Keeffe", 905),
    ("ines_carvalho", "Inês Carvalho", 932),
    ("ayo_adeyemi", "Ayo Adeyemi", 877),
    ("amelie_fischer", "Amélie Fischer", 843),
    ("yasmin_haddad", "Yasmin Haddad", 822),
    ("clara_dupont", "Clara Dupont", 777),
    ("astrid_vdb", "Astrid van den Berg", 712),
    ("camila_rt", "Camila Ríos Torres", 690),
    ("grace_owusu", "Grace Owusu", 674),
    ("fatima_zahra_b", "Fatima Zahra Bennani", 645),
    ("nina_petrovic", "Nina Petrović", 640),
    ("david_cohen_tlv", "David Cohen", 583),
    ("chidi_nwosu", "Chidi Nwosu", 555),
    ("anita_kovacs", "Anita Kovács", 515),
    ("seanmurphy_dub", "Seán Murphy", 504),
    ("julia_schmidt", "Julia Schmidt", 498),
    ("marieclaire_l", "Marie-Claire Leroy", 489),
    ("zanele_m", "Zanele Mokoena", 476),
    ("ming_zhou", "Ming Zhou", 426),
    ("sofi_lindqvist", "Sofia Lindqvist", 412),
    ("kenta_mori", "Kenta Mori", 411),
    ("hbrennan", "Hannah Brennan", 390),
    ("ravi_sharma_ldn", "Ravi Sharma", 388),
    ("luis_etxeberria", "Luis Etxeberria", 357),
    ("sunita_patel", "Sunita Patel", 351),
    ("jonas_weber", "Jonas Weber", 340),
    ("kwame_asante", "Kwame Asante", 311),
    ("andrei_m", "Andrei Morozov", 305),
    ("sanjay_menon", "Sanjay Menon", 276),
    ("emre_yilmaz", "Emre Yılmaz", 264),
    ("anouk_janssen", "Anouk Janssen", 262),
    ("raj_iyer_", "Rajesh Iyer", 241),
    ("dimitris_pap", "Dimitris Papadopoulos", 233),
    ("hana_novak", "Hana Novak", 230),
    ("jpdubois", "Jean-Pierre Dubois", 212),
    ("eva_novakova", "Eva Nováková", 203),
    ("ingrid_solberg", "Ingrid Solberg", 201),
    ("ahmed_farouk", "Ahmed Farouk", 190),
    ("erik_lund", "Erik Lund", 160),
    ("elif_demir", "Elif Demir", 157),
    ("lukas_brandt", "Lukas Brandt", 156),
    ("pablo_ruiz", "Pablo Ruiz", 146),
    ("tom_ashworth", "Tom Ashworth", 137),
    ("hugo_lemaire", "Hugo Lemaire", 134),
    ("maja_jensen", "Maja Jensen", 118),
    ("patrick_nl", "Patrick Visser", 99),
    ("omar_haddad", "Omar Haddad", 96),
    ("beatriz_santos", "Beatriz Santos", 94),
    ("mikkel_sorensen", "Mikkel Sørensen", 88),
    ("oliver_pt", "Oliver Thompson", 85),
    ("kirsten_dahl", "Kirsten Dahl", 81),
    ("hiroshi_sato", "Hiroshi Sato", 77),
    ("annika_h", "Annika Huber", 73),
    ("ewa_zielinska", "Ewa Zielińska", 72),
    ("wei_chen88", "Wei Chen", 67),
    ("mateus_ribeiro", "Mateus Ribeiro", 66),
    ("kofi_mensah", "Kofi Mensah", 63),
    ("jakub_cz", "Jakub Dvořák", 61),
    ("sara_lopes", "Sara Lopes", 58),
    ("finn_oconnor", "Finn O'Connor", 57),
    ("lin_xiaoyu", "Lin Xiaoyu", 54),
    ("liam_walsh_cork", "Liam Walsh", 47),
    ("bjorn_aa", "Bjørn Aasen", 45),
    ("jack_fennimore", "Jack Fennimore", 44),
    ("matteo_b", "Matteo Bianchi", 41),
    ("stefan_ionescu", "Ștefan Ionescu", 38),
    ("samir_mansour", "Samir Mansour", 33),
    ("gabe_okafor", "Gabriel Okafor", 29),
    ("ivan_petrov_spb", "Ivan Petrov", 26),
    ("paula_nowicka", "Paula Nowicka", 24),
    ("nils_petter", "Nils-Petter Holm", 22),
    ("roberto_ferri", "Roberto Ferri", 19),
    ("tomek_nowak", "Tomasz Nowak", 18),
    ("felix_w", "Felix Wagner", 12),
    ("rafael_costa", "Rafael Costa", 11),
    ("johanna_k", "Johanna Korhonen", 9),
    ("henrik_ols", "Henrik Olsen", 8),
    ("freya_ml", "Freya MacLeod", 5),
    ("vera_koch", "Vera Koch", 4),
    ("amara_diallo", "Amara Diallo", 3),
]


# Template placeholders: {customer_name}, {agent_initials}, {incident_title},
# {phone}, {dm_link}, {email}. FAQ bodies are internal answers for the front line.
GUIDELINES = [
    {
        "title": "Holding statement: service disruption",
        "kind": "holding_statement",
        "contact_point": "",
        "department": "",
        "tone": "informative",
        "body": (
            "We are aware of an issue ({incident_title}) and are monitoring its "
            "development closely. Our teams are working to resolve it as quickly as "
            "possible. We'll share an update here within the hour. Thank you for your "
            "patience."
        ),
    },
    {
        "title": "Holding statement: baggage delays",
        "kind": "holding_statement",
        "contact_point": "",
        "department": "flights",
        "tone": "apologetic",
        "body": (
            "We are aware that some customers are experiencing baggage delays "
            "({incident_title}) and are monitoring its development with our airport "
            "partners. We're sorry for the wait. Updates will follow here; if you're "
            "affected, please DM us."
        ),
    },
    {
        "title": "Take it offline: direct message",
        "kind": "offline",
        "contact_point": "problem",
        "department": "",
        "tone": "empathetic",
        "body": (
            "Hi {customer_name}, we'd like to look into this properly without you "
            "sharing personal details in public. Could you send us a private message "
            "here: {dm_link}? We'll pick it up straight away. ^{agent_initials}"
        ),
    },
    {
        "title": "Take it offline: phone call",
        "kind": "offline",
        "contact_point": "problem",
        "department": "",
        "tone": "empathetic",
        "body": (
            "Hi {customer_name}, this will be quicker to sort out by phone. Please call "
            "us on {phone} and mention this conversation, or DM us a good time and we'll "
            "call you: {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "Take it offline: email",
        "kind": "offline",
        "contact_point": "postsale",
        "department": "",
        "tone": "informative",
        "body": (
            "Hi {customer_name}, so we can review your documents properly, please email "
            "them to {email} with your booking or order reference in the subject line. "
            "We'll reply within one working day. ^{agent_initials}"
        ),
    },
    {
        "title": "Presale question: general",
        "kind": "template",
        "contact_point": "presale",
        "department": "",
        "tone": "informative",
        "body": (
            "Hi {customer_name}, thanks for asking before you book! Could you tell us "
            "the route or product you have in mind? We'll check the details and come "
            "back to you here shortly. ^{agent_initials}"
        ),
    },
    {
        "title": "Presale question: rewards and points",
        "kind": "template",
        "contact_point": "presale",
        "department": "loyalty",
        "tone": "informative",
        "body": (
            "Hi {customer_name}, great question! You can see award prices and your "
            "balance in the app under Rewards. Tell us the route and dates and we'll "
            "happily check how many points you'd need. ^{agent_initials}"
        ),
    },
    {
        "title": "Postsale: thank you for the kind words",
        "kind": "template",
        "contact_point": "postsale",
        "department": "",
        "tone": "celebratory",
        "body": (
            "Thank you so much, {customer_name}! That's wonderful to hear and we'll pass "
            "your kind words on to the team. See you on board or in store soon. "
            "^{agent_initials}"
        ),
    },
    {
        "title": "Postsale: disappointing experience",
        "kind": "template",
        "contact_point": "postsale",
        "department": "",
        "tone": "apologetic",
        "body": (
            "Hi {customer_name}, we're sorry this wasn't the experience you expected, "
            "and thank you for telling us. We'd like to put it right: could you DM us "
            "your booking or order reference? {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "Waiting to receive: update on its way",
        "kind": "template",
        "contact_point": "ready_to_receive",
        "department": "",
        "tone": "informative",
        "body": (
            "Hi {customer_name}, thanks for your patience. We've checked and your "
            "request is being processed. We'll keep an eye on it and update you here if "
            "anything changes. ^{agent_initials}"
        ),
    },
    {
        "title": "Waiting to receive: late parcel",
        "kind": "template",
        "contact_point": "ready_to_receive",
        "department": "stores",
        "tone": "apologetic",
        "body": (
            "Hi {customer_name}, sorry your parcel is taking longer than it should. "
            "We've asked the courier for an update and will come back to you today. If "
            "easier, DM us your order number: {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "Problem: general",
        "kind": "template",
        "contact_point": "problem",
        "department": "",
        "tone": "empathetic",
        "body": (
            "Hi {customer_name}, we're really sorry, that sounds frustrating. We want to "
            "fix this with you: please DM us your reference so we can look into it right "
            "away. {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "Problem: unexpected charge",
        "kind": "template",
        "contact_point": "problem",
        "department": "billing",
        "tone": "empathetic",
        "body": (
            "Hi {customer_name}, sorry about this charge, we know how worrying that is. "
            "Please DM us your booking reference and the last 4 digits of the card "
            "(never the full number) and we'll check it today. {dm_link} "
            "^{agent_initials}"
        ),
    },
    {
        "title": "Problem: flight disruption",
        "kind": "template",
        "contact_point": "problem",
        "department": "flights",
        "tone": "apologetic",
        "body": (
            "Hi {customer_name}, we're sorry for the disruption to your journey. Our "
            "teams at the airport and online are on it. Please DM us your booking "
            "reference so we can check your options: {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "Problem: linked to an ongoing incident",
        "kind": "template",
        "contact_point": "problem",
        "department": "",
        "tone": "apologetic",
        "body": (
            "Hi {customer_name}, we're sorry. We're aware of the ongoing issue "
            "({incident_title}) and our teams are on it; updates will follow here. For "
            "your own case, please DM us: {dm_link} ^{agent_initials}"
        ),
    },
    {
        "title": "FAQ: how long do refunds take?",
        "kind": "faq",
        "contact_point": "ready_to_receive",
        "department": "billing",
        "tone": "informative",
        "body": (
            "Card refunds are sent within 7 days of approval; the customer's bank "
            "usually needs another 3–5 working days. Never swap a cash refund for a "
            "voucher unless the customer asks for one. If a refund is older than 14 "
            "days, check its status in the billing console and escalate to a billing "
            "lead."
        ),
    },
    {
        "title": "FAQ: delayed baggage, what do we tell customers?",
        "kind": "faq",
        "contact_point": "problem",
        "department": "flights",
        "tone": "informative",
        "body": (
            "Ask for the file reference from the baggage desk, or help them open one "
            "online. Bags are delivered free of charge to any address the customer "
            "chooses. Reasonable essentials (toiletries, a change of clothes) are "
            "reimbursed with receipts under the baggage-delay policy. Medication or "
            "medical equipment in the bag: escalate to a lead immediately."
        ),
    },
    {
        "title": "FAQ: missing points",
        "kind": "faq",
        "contact_point": "ready_to_receive",
        "department": "loyalty",
        "tone": "informative",
        "body": (
            "Flight points post within 7 days; partner activity can take up to 6 weeks. "
            "After that, file the missing-points claim for the member from the rewards "
            "console; don't send them back to the public form. Goodwill points above "
            "your limit need a lead's approval."
        ),
    },
    {
        "title": "FAQ: store returns and faulty items",
        "kind": "faq",
        "contact_point": "postsale",
        "department": "stores",
        "tone": "informative",
        "body": (
            "Items can be returned within 30 days, opened or not, unless hygiene-sealed. "
            "Faulty items within 2 years: we replace or refund, and we never send the "
            "customer to the manufacturer. Airport purchases can be returned in any "
            "Northwind store or by post."
        ),
    },
    {
        "title": "FAQ: a post mentions a lawyer, safety or health",
        "kind": "faq",
        "contact_point": "problem",
        "department": "",
        "tone": "empathetic",
        "body": (
            "Don't argue or admit liability in public. Acknowledge, show you care, and "
            "take it offline. Mark the mention as a threat so a lead and central comms "
            "see it; health and safety cases (medication, allergies, injuries) come "
            "first. Never delete or hide the post."
        ),
    },
]


# tiers: severity -> [min, max] in the policy's unit.
COMPENSATION_POLICIES = [
    {
        "name": "Fare and fee refund",
        "kind": "refund",
        "unit": "EUR",
        "tiers": {
            "minor": [0, 30],
            "moderate": [30, 150],
            "major": [150, 600],
            "crisis": [600, 2000],
        },
        "description": (
            "Money back to the original payment method for fees charged in error, "
            "services not delivered (seat, bag, priority boarding) or fares covered by "
            "our conditions of carriage. Always the first choice when the customer paid "
            "for something they didn't get."
        ),
    },
    {
        "name": "Travel voucher",
        "kind": "voucher",
        "unit": "EUR",
        "tiers": {
            "minor": [10, 25],
            "moderate": [25, 75],
            "major": [75, 200],
            "crisis": [200, 500],
        },
        "description": (
            "A goodwill voucher for future flights, valid 12 months. Offer it for "
            "inconvenience on top of what the customer is owed, never instead of a "
            "refund they're entitled to."
        ),
    },
    {
        "name": "Account credit",
        "kind": "credit",
        "unit": "EUR",
        "tiers": {
            "minor": [5, 15],
            "moderate": [15, 50],
            "major": [50, 150],
            "crisis": [150, 300],
        },
        "description": (
            "Credit on the customer's Northwind account, usable in Northwind Stores "
            "online and at the airport. Suits late deliveries, wrong items and small "
            "service failures in store."
        ),
    },
    {
        "name": "Free Northwind Plus days",
        "kind": "free_day",
        "unit": "day",
        "tiers": {"minor": [1, 3], "moderate": [3, 7], "major": [7, 30], "crisis": [30, 90]},
        "description": (
            "Free days of the Northwind Plus membership (free delivery, priority "
            "boarding, lounge discount). Counts against the discretion limit at EUR 1 "
            "per day. Good for members hit by app, account or rewards problems."
        ),
    },
    {
        "name": "Replacement item",
        "kind": "replacement",
        "unit": "item",
        "tiers": {"minor": [1, 1], "moderate": [1, 1], "major": [1, 2], "crisis": [1, 3]},
        "description": (
            "Send a replacement for a faulty, damaged or wrong item, shipped express at "
            "our cost. The customer keeps or returns the original as they prefer. Counts "
            "against the discretion limit at the item's retail price."
        ),
    },
    {
        "name": "Essentials during baggage delay",
        "kind": "other",
        "unit": "EUR",
        "tiers": {
            "minor": [0, 50],
            "moderate": [50, 150],
            "major": [150, 300],
            "crisis": [300, 500],
        },
        "description": (
            "Reimbursement, against receipts, of reasonable essentials bought while a "
            "checked bag is delayed: toiletries, a change of clothes, chargers, "
            "replacement medication. Medication is always approved, whatever the amount."
        ),
    },
]


# Discretion limit in EUR that each role may grant without approval.
ROLE_LIMITS = {"agent": 50, "lead": 250, "comms": 2000}


INCIDENT = {
    "title": "Baggage system outage at Amsterdam",
    "severity": "major",
    "summary": (
        "The airport baggage handling system at Amsterdam (AMS) failed early this "
        "morning. Arriving bags are not reaching the belts and departing bags are "
        "being loaded by hand, so customers face long waits at baggage claim, some "
        "aircraft are held on stand and some bags will follow on later flights. "
        "Mentions in the flights and support queues are rising fast."
    ),
    "keywords": [
        "amsterdam",
        "ams",
        "baggage",
        "bag",
        "bags",
        "luggage",
        "suitcase",
        "belt",
        "carousel",
        "reclaim",
        "outage",
        "bagage",
        "koffer",
        "gepäck",
        "maleta",
    ],
    "departments": ["flights", "support"],
    "facts": [
        (
            "06:40 CET: the baggage handling system at AMS went down; the airport "
            "operator confirmed the failure at 07:05 and has no restore time yet."
        ),
        (
            "Arriving bags are being unloaded by hand; the expected wait at baggage "
            "claim is 2–3 hours. Some departing bags will travel on later flights."
        ),
        (
            "Customers who can't wait may leave: bags are delivered free of charge to "
            "any address, and essentials are reimbursed under the baggage-delay policy."
        ),
    ],
    "holding_statement": (
        "We are aware of a baggage system outage at Amsterdam affecting arriving and "
        "departing customers, and are monitoring its development with the airport. "
        "We're sorry for the wait. If you can't wait, we'll deliver your bag free of "
        "charge. Updates will follow here."
    ),
}


# Demo staff. The demo password is configured elsewhere.
USERS = [
    {
        "username": "ava.billing",
        "first_name": "Ava",
        "last_name": "Lindgren",
        "org_role": "member",
        "memberships": [["billing", "agent"]],
    },
    {
        "username": "liam.billing-lead",
        "first_name": "Liam",
        "last_name": "O'Rourke",
        "org_role": "member",
        "memberships": [["billing", "lead"]],
    },
    {
        "username": "noah.support",
        "first_name": "Noah",
        "last_name": "Bakker",
        "org_role": "member",
        "memberships": [["support", "agent"]],
    },
    {
        "username": "mia.support-lead",
        "first_name": "Mia",
        "last_name": "Schneider",
        "org_role": "member",
        "memberships": [["support", "lead"]],
    },
    {
        "username": "sofia.flights",
        "first_name": "Sofia",
        "last_name": "Reyes",
        "org_role": "member",
        "memberships": [["flights", "agent"], ["support", "agent"]],
    },
    {
        "username": "kai.flights",
        "first_name": "Kai",
        "last_name": "Andersen",
        "org_role": "member",
        "memberships": [["flights", "agent"]],
    },
    {
        "username": "mateo.flights-lead",
        "first_name": "Mateo",
        "last_name": "Rinaldi",
        "org_role": "member",
        "memberships": [["flights", "lead"]],
    },
    {
        "username": "emma.stores",
        "first_name": "Emma",
        "last_name": "Okoye",
        "org_role": "member",
        "memberships": [["stores", "agent"]],
    },
    {
        "username": "yusuf.stores-lead",
        "first_name": "Yusuf",
        "last_name": "Demir",
        "org_role": "member",
        "memberships": [["stores", "lead"]],
    },
    {
        "username": "priya.loyalty",
        "first_name": "Priya",
        "last_name": "Shah",
        "org_role": "member",
        "memberships": [["loyalty", "agent"]],
    },
    {
        "username": "jonas.loyalty-lead",
        "first_name": "Jonas",
        "last_name": "Keller",
        "org_role": "member",
        "memberships": [["loyalty", "lead"]],
    },
    {
        "username": "hana.comms",
        "first_name": "Hana",
        "last_name": "Kowalski",
        "org_role": "comms",
        "memberships": [],
    },
    {
        "username": "oscar.comms",
        "first_name": "Oscar",
        "last_name": "Lindqvist",
        "org_role": "comms",
        "memberships": [],
    },
    {
        "username": "rosa.admin",
        "first_name": "Rosa",
        "last_name": "Martínez",
        "org_role": "admin",
        "memberships": [],
    },
]
