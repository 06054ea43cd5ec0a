"""The demo newsroom: regions, rubrics, authors and thirty stories.

Every sentence here was written for this project. The stories are illustrative analysis of
the kind the site publishes, not reporting: the authors are invented, and no quotation is
attributed to a real person.

Body paragraphs use a tiny markup that ``body_html()`` turns into the HTML the sanitiser
keeps: a paragraph starting with "## " is a subheading, "Q: " is an interview question and
"> " a pull quote; "{note:…}" is a footnote.
"""

from html import escape

REGIONS = [
    (
        "Post-Soviet region",
        "post-soviet-region",
        "The states that left the Soviet Union in 1991 and the ties that still bind them.",
    ),
    (
        "South Caucasus",
        "south-caucasus",
        "Armenia, Azerbaijan and Georgia: borders, corridors and the people between them.",
    ),
    (
        "Central Asia",
        "central-asia",
        "Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan.",
    ),
    (
        "Middle East",
        "middle-east",
        "From the Gulf to the Levant: trade routes, water, reconstruction and culture.",
    ),
    (
        "Europe",
        "europe",
        "The European Union and its neighbours, seen from its eastern edge.",
    ),
]

RUBRICS = [
    ("Road sign", "road-sign", "Where a story is heading: the signal behind the news."),
    ("Social", "social", "How policy lands in kitchens, classrooms and rent contracts."),
    ("Difficult question", "difficult-question", "One hard question, argued through."),
    ("Analysis", "analysis", "Longer reads on economics, energy and diplomacy."),
    ("Interview", "interview", "Conversations with people who know a subject first-hand."),
]

# Invented people. The "author" demo account is linked to the first one.
AUTHORS = [
    {
        "name": "Nare Avetisyan",
        "slug": "nare-avetisyan",
        "bio": "Covers social affairs and housing from Yerevan. A demo author.",
    },
    {
        "name": "Lena Morozova",
        "slug": "lena-morozova",
        "bio": "Writes about the politics of the former Soviet space. A demo author.",
    },
    {
        "name": "Davit Kalandadze",
        "slug": "davit-kalandadze",
        "bio": "South Caucasus correspondent, based in Tbilisi. A demo author.",
    },
    {
        "name": "Aigerim Sultanova",
        "slug": "aigerim-sultanova",
        "bio": "Follows Central Asian economies, water and mining from Almaty. A demo author.",
    },
    {
        "name": "Omar Haddad",
        "slug": "omar-haddad",
        "bio": "Middle East analyst with a focus on shipping and reconstruction. A demo author.",
    },
    {
        "name": "Clara Vogt",
        "slug": "clara-vogt",
        "bio": "Europe correspondent in Brussels: enlargement, energy, climate. A demo author.",
    },
    {
        "name": "Rustam Nazarov",
        "slug": "rustam-nazarov",
        "bio": "Energy and transport writer who has crossed every border in this list by train. "
        "A demo author.",
    },
]

DEMO_ACCOUNTS = [
    # (username, group, linked author slug or None)
    ("editor", "Editors", None),
    ("author", "Authors", "nare-avetisyan"),
    ("moderator", "Moderators", None),
    # Manages the team (invites, roles, deactivation); not a superuser.
    ("admin", "Administrators", None),
]
DEMO_PASSWORD = "changeme"

# Stories, newest first. "hours_ago" places each one in time when it is first created;
# "status" defaults to published, and a negative "hours_ago" schedules it in the future;
# "live_hours" gives it an "unpublish at" that many hours after it goes out.
STORIES = [
    {
        "slug": "energy-forum-what-to-watch",
        "title": "What to watch at next week's regional energy forum",
        "region": "middle-east",
        "rubric": "road-sign",
        "authors": ["omar-haddad"],
        "tags": ["energy", "diplomacy", "gas"],
        "hours_ago": -60,
        # A preview of the forum: once it is over, the story comes down by itself.
        "live_hours": 24 * 7,
        "teaser": "Producers, buyers and pipeline planners meet next week. Three questions "
        "will tell whether the gathering is a photo opportunity or the start of real deals.",
        "body": [
            "Regional energy forums have a habit of producing more communiqués than contracts. "
            "This one arrives at a moment when buyers in Europe and Asia are signing longer "
            "deals again, and producers around the Gulf want to lock them in.",
            "## Who signs, and for how long",
            "The first thing to watch is contract length. Ten-year deals were unfashionable "
            "five years ago; buyers now ask for them. A cluster of long agreements would say "
            "more about confidence than any keynote.",
            "## The pipelines nobody mentions",
            "Second, listen for what is not on the agenda. Projects that cross several borders "
            "tend to vanish from the official programme and reappear in side meetings, where "
            "the financing conversation actually happens.",
            "Third, count the delegations from Central Asia and the South Caucasus. Their "
            "presence would confirm that the Gulf sees them as partners in transit, not only "
            "as competitors in supply.",
        ],
    },
    {
        "slug": "red-sea-detours-price-of-a-container",
        "title": "Red Sea detours and the price of a container",
        "region": "middle-east",
        "rubric": "analysis",
        "authors": ["omar-haddad", "rustam-nazarov"],
        "tags": ["shipping", "trade", "ports"],
        "featured": True,
        "hours_ago": 3,
        "teaser": "When ships avoid the Red Sea they add days and fuel to every voyage. The "
        "cost does not stay at sea: it turns up in warehouse rents, shop prices and the "
        "fortunes of ports that suddenly matter.",
        "body": [
            "A container ship that sails around Africa instead of through the Red Sea spends "
            "roughly ten more days at sea. Multiply that by every vessel on the Asia–Europe "
            "loop and the world briefly has fewer ships than it thought it had.",
            "Freight rates react first. Spot prices for a forty-foot box can double in weeks, "
            "and contract rates follow at the next negotiation. Importers who used to keep "
            "two weeks of stock start keeping six, and warehouse space near big ports gets "
            "expensive.",
            "## Winners on the map",
            "Detours also redraw the map of who matters. Ports on the long route gain calls; "
            "overland links that were marginal become interesting. Rail operators across "
            "Central Asia and the Caucasus have been quick to advertise their transit times "
            "to European buyers.",
            "> Shipping is a network: block one link and the load appears somewhere unexpected.",
            "The lasting effect may be on insurance. Underwriters remember, and a route that "
            "was disrupted once carries a premium long after the danger has passed. That "
            "memory, more than the detour itself, is what shippers will pay for next year.",
        ],
        "caption": "Container traffic between Asia and Europe, drawn as a map.",
    },
    {
        "slug": "mountain-road-and-the-treaty",
        "title": "A road through the mountains, and the treaty that would open it",
        "region": "south-caucasus",
        "rubric": "road-sign",
        "authors": ["davit-kalandadze"],
        "tags": ["transport", "diplomacy", "borders"],
        "featured": True,
        "hours_ago": 7,
        "teaser": "Negotiators talk about borders and guarantees. Hauliers talk about one "
        "mountain road. Whether it opens will show, more than any signing ceremony, how far "
        "the South Caucasus has moved.",
        "body": [
            "Peace negotiations in the South Caucasus are usually described in the language "
            "of maps and principles. On the ground they are often about something smaller: "
            "which lorry may drive which road, and who checks its papers.",
            "A single mountain route would shorten journeys between the Caspian and the Black "
            "Sea by hours. For the countries it crosses it is also a question of sovereignty: "
            "who runs the border posts, under which law, and with which observers.",
            "## Why the details decide",
            "Diplomats have learned that a treaty can be signed while the practical "
            "arrangements stay open for years. Customs software, insurance for foreign "
            "drivers and the opening hours of a checkpoint are not glamorous, but they are "
            "where an agreement becomes real.",
            "Watch the technical working groups rather than the summits. When they start "
            "publishing timetables instead of statements, the road is close to opening.",
        ],
        "caption": "A mountain route between the Caspian and the Black Sea, as an abstract map.",
    },
    {
        "slug": "water-before-oil-amu-darya",
        "title": "Water before oil: the Amu Darya and the canal downstream",
        "region": "central-asia",
        "rubric": "analysis",
        "authors": ["aigerim-sultanova"],
        "tags": ["water", "climate", "agriculture"],
        "hours_ago": 12,
        "teaser": "A new canal upstream promises harvests where there was desert. Downstream, "
        "farmers who already ration irrigation water ask how much of the river will still "
        "reach them.",
        "body": [
            "The Amu Darya has been divided on paper for decades. Quotas agreed in the early "
            "1990s assumed that every country along the river would keep taking roughly what "
            "it took in the Soviet years, and that nobody would build much that was new.",
            "A large canal changes that arithmetic. Even a well-lined channel loses water to "
            "evaporation and seepage, and the fields it waters return less to the river than "
            "they receive.",
            "## Counting drops",
            "Downstream provinces measure the consequences in planting decisions. Cotton "
            "needs water at the hottest time of the year; rice needs even more. Farmers who "
            "were told to diversify now ask whether they will have water for anything at all.",
            "The region has a basin commission, but its decisions depend on data that member "
            "states share reluctantly. Open gauges and published flow figures would cost "
            "little and would move the argument from suspicion to numbers.",
            "That is the difficult part: water is a shared resource in a region where trust "
            "has been built slowly. A canal can be dug in a few years. Agreement on how to "
            "run it may take longer.",
        ],
        "caption": "The river basin, drawn from above.",
    },
    {
        "slug": "europe-gas-storage-full-tanks-uneasy-winter",
        "title": "Europe's gas storage: full tanks, uneasy winter",
        "region": "europe",
        "rubric": "analysis",
        "authors": ["clara-vogt", "rustam-nazarov"],
        "tags": ["energy", "gas", "climate"],
        "hours_ago": 18,
        "teaser": "Storage sites are nearly full before the heating season, which should be "
        "reassuring. Traders are less relaxed: a cold January and a few delayed cargoes "
        "would still be enough to move prices.",
        "body": [
            "European gas storage has become a seasonal headline. Every autumn ministers "
            "announce that the tanks are full, and every winter traders watch how quickly "
            "they empty.",
            "Full storage covers only part of winter demand. The rest arrives by pipeline and "
            "by ship, and liquefied gas goes wherever the price is best. A cold spell in Asia "
            "can pull cargoes away from European terminals within days.",
            "## Demand that did not come back",
            "Industry has used less gas since prices spiked, and some of that demand is not "
            "returning. Heat pumps, insulation and closed plants have changed the baseline. "
            "That makes the system less tight than it was, but also harder to forecast.",
            "The quiet risk is complacency. Storage obligations were written for an "
            "emergency; whether they survive as permanent rules will decide how calm future "
            "winters are.",
        ],
    },
    {
        "slug": "georgia-ports-compete-for-rerouted-cargo",
        "title": "Georgia's ports compete for the cargo that war rerouted",
        "region": "south-caucasus",
        "rubric": "analysis",
        "authors": ["davit-kalandadze", "rustam-nazarov"],
        "tags": ["ports", "trade", "transport"],
        "hours_ago": 26,
        "teaser": "Black Sea terminals that handled modest volumes a few years ago now turn "
        "ships away. Expanding them means dredging, rail sidings and a decision about who "
        "the ports are really for.",
        "body": [
            "Georgia's Black Sea coast has a handful of ports that were built for a smaller "
            "economy. Since trade between Europe and Asia began looking for routes south of "
            "Russia, they have been asked to do far more.",
            "Queues are the visible symptom. Ships wait at anchor, rail wagons wait inland, "
            "and forwarders pay for both. The bottleneck is less the quay than the railway "
            "behind it, which still has single-track sections through the mountains.",
            "## A deep-water question",
            "A deep-water port has been planned, cancelled and revived more than once. Each "
            "revival brings a new partner and a new argument about strategic ownership. The "
            "choice of investor will be read as a foreign-policy statement, whatever the "
            "commercial logic.",
            "Meanwhile the existing ports are expanding the unglamorous way: a new crane "
            "here, a longer siding there. For shippers that may matter more than any "
            "flagship project.",
        ],
    },
    {
        "slug": "borders-drawn-in-1991-back-on-the-table",
        "title": "Borders drawn in 1991 are back on the negotiating table",
        "region": "post-soviet-region",
        "rubric": "road-sign",
        "authors": ["lena-morozova"],
        "tags": ["borders", "diplomacy", "history"],
        "hours_ago": 31,
        "teaser": "Across the former Soviet Union, commissions are marking lines that existed "
        "only on administrative maps. The work is slow, technical and more consequential "
        "than the handshakes that start it.",
        "body": [
            "When the Soviet Union dissolved, its internal boundaries became international "
            "borders overnight. Many had never been surveyed with that purpose in mind; some "
            "ran through villages, pastures and irrigation channels.",
            "Thirty years later several neighbours are finally delimiting them. The "
            "commissions work from old maps, sometimes from several competing editions, and "
            "from the memories of people who grazed sheep on one slope or the other.",
            "## Why now",
            "Part of the answer is trade: a border that is not agreed cannot carry a modern "
            "customs post. Part is security, and part is fatigue with disputes that flare up "
            "every summer when water is short.",
            "The agreements rarely make headlines when they are signed. They matter when the "
            "first harvest passes without a quarrel over a canal.",
        ],
    },
    {
        "slug": "tbilisi-rents-and-the-newcomers",
        "title": "Tbilisi's rents and the newcomers who changed them",
        "region": "south-caucasus",
        "rubric": "social",
        "authors": ["nare-avetisyan", "davit-kalandadze"],
        "tags": ["housing", "migration", "cities"],
        "hours_ago": 40,
        "teaser": "An influx of remote workers pushed rents in central districts up in a "
        "matter of months. Landlords adapted quickly; students, nurses and young families "
        "are still looking for where to live.",
        "body": [
            "Rental listings in central Tbilisi used to be quoted in local currency. Within a "
            "year many were in dollars, and many prices had doubled.",
            "The newcomers were not the only cause: construction had slowed and the city was "
            "already popular with visitors. But a sudden group of tenants with foreign "
            "salaries changed what landlords believed the market would bear.",
            "## Who moved out",
            "Students and public-sector workers felt it first. Some moved to the outer "
            "districts and now commute for an hour; others went back to their families in "
            "the regions. Shared flats became common among people in their thirties.",
            "City officials discuss rent registers and incentives to build, but housing "
            "policy works in years, and the market moved in months. Some of the newcomers "
            "have already left, and rents have not come back down.",
        ],
    },
    {
        "slug": "minerals-richer-or-only-busier",
        "title": "Will critical minerals make Central Asia richer or only busier?",
        "region": "central-asia",
        "rubric": "difficult-question",
        "authors": ["aigerim-sultanova"],
        "tags": ["mining", "trade", "economy"],
        "hours_ago": 49,
        "teaser": "Every large economy wants the region's rare earths and metals. The "
        "question is whether the value stays in the region, or whether ore simply leaves "
        "by train as it always has.",
        "body": [
            "Delegations from Europe, the United States, China and the Gulf have toured "
            "Central Asian mining regions in quick succession. Memoranda are signed; "
            "exploration licences are auctioned.",
            "History is not encouraging. For most of the last century ore was dug in the "
            "region and processed somewhere else, and the processing is where the margin is.",
            "## The case for patience",
            "Governments now ask investors to build refining and component plants at home. "
            "That is slower and riskier for everyone, and it needs electricity, water and "
            "skilled workers that are already scarce.",
            "The honest answer to the question is: both, depending on the contracts. Terms "
            "on local processing, training and environmental bonds will decide whether the "
            "boom leaves towns or only holes.",
        ],
    },
    {
        "slug": "night-trains-are-back",
        "title": "Night trains are back — and fully booked",
        "region": "europe",
        "rubric": "social",
        "authors": ["rustam-nazarov"],
        "tags": ["transport", "rail", "climate"],
        "hours_ago": 55,
        "teaser": "Sleeper services that railways cut a decade ago are running again across "
        "Europe. Passengers love them; operators say the hard part is finding carriages, "
        "drivers and slots at the border.",
        "body": [
            "A decade ago night trains were being retired as relics. Now new routes are "
            "announced every season, and the good compartments sell out weeks in advance.",
            "Passengers cite the climate, city-centre arrival and the simple pleasure of "
            "waking up somewhere else. Operators cite something less romantic: an empty "
            "sleeper carriage costs almost as much to run as a full one.",
            "## Too few carriages",
            "The bottleneck is rolling stock. Sleeper carriages are built in small batches "
            "and take years to order. Cross-border services also need drivers certified on "
            "each network and paths through busy nodes at night, when track works happen.",
            "The trains that succeed tend to share one thing: a government willing to "
            "guarantee the route for several years while demand builds.",
        ],
    },
    {
        "slug": "archives-last-neutral-ground",
        "title": "“Archives are the last neutral ground”: a historian on opening Soviet files",
        "region": "post-soviet-region",
        "rubric": "interview",
        "authors": ["lena-morozova"],
        "tags": ["history", "archives", "culture"],
        "hours_ago": 62,
        "teaser": "A historian who has worked in archives from Kyiv to Almaty explains why "
        "access keeps changing, what researchers copy first, and why scanned files are "
        "not the same as open ones.",
        "body": [
            "Our guest is a historian of the late Soviet period who asked to be named only "
            "by her initials, R. S., because she still depends on reading-room permits.",
            "Q: Why do archives matter so much in this region?",
            "Because almost every current dispute — a border, a pension, a property claim — "
            "rests on a Soviet document somewhere. Whoever controls the file controls the "
            "first draft of the argument.",
            "Q: Is access getting better?",
            "It depends on the country and on the year. Some archives have digitised "
            "catalogues; others have closed rooms that were open a decade ago. Researchers "
            "now copy everything they can on the first visit, because they may not get a "
            "second.",
            "Q: What would you change?",
            "Publish the catalogues, even where the files stay closed. Knowing what exists is "
            "half of the work, and it costs a government nothing but a little courage.",
        ],
    },
    {
        "slug": "who-guarantees-a-peace",
        "title": "Who guarantees a peace that nobody wants to police?",
        "region": "south-caucasus",
        "rubric": "difficult-question",
        "authors": ["davit-kalandadze", "lena-morozova"],
        "tags": ["security", "diplomacy"],
        "hours_ago": 70,
        "teaser": "A peace text can be agreed between two capitals. Keeping it needs monitors, "
        "a dispute mechanism and outsiders willing to stay for years — and the list of "
        "volunteers is short.",
        "body": [
            "Peace agreements are often judged by their wording. Their survival depends more "
            "on what happens the first time something goes wrong: a shooting at the border, "
            "a blocked road, an ambiguous map.",
            "Monitoring missions help, but only if both sides accept them and they can "
            "report quickly. Several outside powers have offered to help; none wants to be "
            "responsible if the process fails.",
            "## Alternatives to guarantors",
            "One answer is to make guarantees mostly technical: joint commissions, shared "
            "data, hotlines between commanders. They are less visible than peacekeepers and "
            "harder to politicise.",
            "Another is economic interdependence — roads, power lines and trade that both "
            "sides would lose by fighting. It works slowly, and only once the first lorries "
            "are actually moving.",
        ],
    },
    {
        "slug": "apps-replaced-the-moneychangers",
        "title": "The apps that replaced the bazaar's moneychangers",
        "region": "central-asia",
        "rubric": "social",
        "authors": ["aigerim-sultanova", "nare-avetisyan"],
        "tags": ["technology", "banking", "migration"],
        "hours_ago": 78,
        "teaser": "Migrant workers used to send money home through couriers and kiosks. Now "
        "a phone does it in seconds, and banks across the region are racing to own the "
        "app their customers open first.",
        "body": [
            "The moneychangers' stalls at the edge of the bazaar are quieter than they used "
            "to be. Their customers are now standing a few metres away, looking at their "
            "phones.",
            "Super-apps that combine payments, transfers, shopping and loans have spread "
            "quickly in Central Asia. For families that rely on money from relatives abroad "
            "they have cut fees and waiting times.",
            "## The other side of convenience",
            "Easy credit is part of the package, and consumer debt has grown with it. "
            "Regulators are introducing limits on repeated small loans and asking for "
            "clearer terms on the screen.",
            "Older customers and villages with weak mobile coverage remain outside. For them "
            "the kiosk, and the trusted man behind it, is still the bank.",
        ],
    },
    {
        "slug": "reconstruction-money-who-pays-who-decides",
        "title": "Reconstruction money: who pays, and who decides?",
        "region": "middle-east",
        "rubric": "difficult-question",
        "authors": ["omar-haddad"],
        "tags": ["reconstruction", "economy", "diplomacy"],
        "hours_ago": 86,
        "teaser": "Donor conferences announce large sums. The real fights come later, over "
        "contracts, conditions and who gets to decide which street is rebuilt first.",
        "body": [
            "Reconstruction conferences produce a single number that makes headlines. Far "
            "less attention goes to how much of it arrives, when, and through whose hands.",
            "Donors want conditions: transparent procurement, monitoring, sometimes political "
            "reforms. Governments want money they can spend on their own priorities. Local "
            "councils, who know which water main matters, are often consulted last.",
            "## Following the contracts",
            "The most useful reforms are the boring ones: publishing tenders, naming "
            "beneficial owners, opening project data to journalists. They slow spending a "
            "little and protect it a lot.",
            "The difficult answer to the question is that whoever pays will decide, unless "
            "the people who live in the rebuilt streets have a formal voice from the start.",
        ],
    },
    {
        "slug": "enlargement-talk-returns",
        "title": "Enlargement talk returns, and with it the old arguments",
        "region": "europe",
        "rubric": "road-sign",
        "authors": ["clara-vogt"],
        "tags": ["enlargement", "diplomacy", "eu"],
        "hours_ago": 95,
        "teaser": "For years enlargement was a word diplomats avoided. It is back on summit "
        "agendas, and so are the questions about voting rules, budgets and farm subsidies "
        "that stalled it last time.",
        "body": [
            "Enlargement has returned to European summits with a speed that surprised even "
            "its supporters. Candidate lists have grown, and timelines once described as "
            "decades are now described as years.",
            "The arguments have not changed as much. A bigger union needs different voting "
            "rules, or it risks paralysis. Budgets built around farm and cohesion funds "
            "would have to be rewritten.",
            "## A staged approach",
            "One idea gaining ground is gradual membership: joining the single market, "
            "programmes and funds step by step before full voting rights. Critics say it "
            "creates second-class members; supporters say it rewards reforms sooner.",
            "The road sign to watch is treaty change. If leaders agree to reopen the rules "
            "that govern decision-making, enlargement has become serious.",
        ],
    },
    {
        "slug": "armenia-electricity-mix-nuclear-question",
        "title": "Armenia's electricity mix and the nuclear question",
        "region": "south-caucasus",
        "rubric": "analysis",
        "authors": ["rustam-nazarov", "nare-avetisyan"],
        "tags": ["energy", "electricity", "nuclear"],
        "hours_ago": 104,
        # (hours after publication, text): shown in order at the top of the story.
        "corrections": [
            (
                20,
                "An earlier version of this story described small modular reactors as widely "
                "used in commercial service. Few are running commercially yet; we have "
                "corrected the text.",
            ),
            (
                47,
                "An earlier version said that the plant supplies most of Armenia's "
                "electricity. It supplies a large share of it.",
            ),
        ],
        "teaser": "An ageing nuclear plant supplies a large share of Armenia's power. "
        "Replacing it means choosing a technology, a partner and a financing model — three "
        "decisions that are really one.",
        "body": [
            "Armenia's nuclear power plant was designed in the Soviet era and has outlived "
            "several predictions of its closure. It still provides a large share of the "
            "country's electricity.",
            "Its operators plan to extend its life again, which buys time but not an answer. "
            "A replacement would take a decade to build, and the choice of reactor would tie "
            "the country to a supplier for much longer.",
            "## Small reactors, big promises",
            "Small modular reactors are the fashionable option. They are cheaper per unit "
            "and easier to finance, but few are yet running commercially, and an early buyer "
            "takes on risks that later buyers avoid.",
            "Solar capacity has grown fast, helped by sunny plateaus and falling panel prices. "
            "It cannot replace a baseload plant alone, but it changes how big that plant "
            "needs to be.",
        ],
    },
    {
        "slug": "summits-without-moscow-at-the-head",
        "title": "The quiet rise of regional summits without Moscow at the head of the table",
        "region": "post-soviet-region",
        "rubric": "analysis",
        "authors": ["lena-morozova", "aigerim-sultanova"],
        "tags": ["diplomacy", "trade"],
        "hours_ago": 113,
        "teaser": "Central Asian leaders now meet on their own, and with partners from the "
        "Gulf, Europe and East Asia. None of these formats replaces old alliances, but "
        "together they change who sets the agenda.",
        "body": [
            "For a long time most multilateral meetings in the former Soviet space had the "
            "same host. That is changing, not through a break but through addition.",
            "Central Asian presidents now hold their own consultative summits. Formats with "
            "the European Union, the Gulf states, Japan, Korea and others have become "
            "regular. Each produces modest declarations and a steady flow of working groups.",
            "## Why it matters",
            "The significance lies in the habit. Ministries that meet each other regularly "
            "solve small problems — border crossings, electricity trading, visas — without "
            "waiting for a larger neighbour to convene them.",
            "None of the governments involved describes this as choosing sides. They "
            "describe it as having options, which is exactly what gives them leverage.",
        ],
    },
    {
        "slug": "desalination-and-growing-cities",
        "title": "Desalination plants and the cities that can't stop growing",
        "region": "middle-east",
        "rubric": "social",
        "authors": ["omar-haddad", "nare-avetisyan"],
        "tags": ["water", "cities", "climate"],
        "hours_ago": 122,
        "teaser": "Gulf cities drink the sea. Each new desalination plant eases one shortage "
        "and creates another question: where the brine goes, and how much energy a glass "
        "of water really costs.",
        "body": [
            "Tap water in many Gulf cities starts in the sea. Desalination made rapid urban "
            "growth possible where rivers never existed.",
            "The plants are energy-hungry, and their by-product — concentrated brine — goes "
            "back into shallow, warm coastal waters. Marine scientists worry about what that "
            "does to reefs and fisheries over decades.",
            "## Cheaper, cleaner, still thirsty",
            "Newer plants use membranes instead of heat and increasingly run on solar power. "
            "They are more efficient, but demand keeps rising: new districts, new towers and "
            "landscaped green spaces in a desert climate.",
            "The social question is price. Water that costs a lot to make is often sold "
            "cheaply, which protects poorer households and encourages waste at the same time.",
        ],
    },
    {
        "slug": "glaciologist-ice-that-feeds-five-countries",
        "title": "A glaciologist on the ice that feeds five countries",
        "region": "central-asia",
        "rubric": "interview",
        "authors": ["aigerim-sultanova"],
        "tags": ["climate", "water", "science"],
        "hours_ago": 131,
        "teaser": "Glaciers in the Pamir and Tian Shan supply rivers that reach farms far "
        "downstream. A researcher who measures them every summer explains what is changing "
        "and what can still be planned for.",
        "body": [
            "Our guest, a glaciologist at a mountain research station, spends every summer "
            "on the ice. We spoke after this season's fieldwork.",
            "Q: How fast are the glaciers changing?",
            "Most of the ones we measure are losing mass every year, the small ones fastest. "
            "Some large glaciers are more stable for now, but the trend is clear.",
            "Q: What does that mean downstream?",
            "In the short term, sometimes more water in summer, as ice melts faster. In the "
            "long term, less, and less reliable. Farmers will feel it in late summer, exactly "
            "when crops need water most.",
            "Q: What can be done?",
            "Measure, share and plan. Monitoring stations are cheap compared with a failed "
            "harvest, and data shared across borders lets everyone plan storage and planting "
            "before a dry year, not during it.",
        ],
    },
    {
        "slug": "carbon-border-tax-and-a-road",
        "title": "Should a carbon border tax count the emissions of a road?",
        "region": "europe",
        "rubric": "difficult-question",
        "authors": ["clara-vogt", "rustam-nazarov"],
        "tags": ["climate", "trade", "eu"],
        "hours_ago": 140,
        "teaser": "Europe's carbon levy on imports covers steel, cement and fertiliser. "
        "Exporters in the east ask why it ignores how goods travel — and whether a longer "
        "but cleaner route should be rewarded.",
        "body": [
            "The European carbon border adjustment prices the emissions embedded in certain "
            "imports. It is meant to stop production simply moving to places with looser "
            "climate rules.",
            "Transport is mostly outside its scope. A tonne of steel that travels thousands "
            "of kilometres by lorry pays the same as one that arrives by electric rail.",
            "## A fair extension?",
            "Exporters along the new Eurasian corridors argue that counting transport would "
            "reward investment in electrified rail. Others warn that it would add paperwork "
            "and invite disputes about whose numbers are right.",
            "The answer probably lies in data. Once shippers can document emissions per "
            "consignment cheaply, including transport becomes a question of politics rather "
            "than of measurement.",
        ],
    },
    {
        "slug": "gulf-interest-in-caucasus-and-central-asia",
        "title": "The Gulf's new interest in the Caucasus and Central Asia",
        "region": "middle-east",
        "rubric": "road-sign",
        "authors": ["omar-haddad", "aigerim-sultanova"],
        "tags": ["investment", "energy", "diplomacy"],
        "hours_ago": 150,
        "teaser": "Sovereign funds and energy companies from the Gulf are buying into wind "
        "farms, airports and ports from Baku to Tashkent. The money comes with fewer "
        "conditions than Western loans, and with its own strategic logic.",
        "body": [
            "Gulf investors used to be rare visitors in Central Asia and the Caucasus. Now "
            "their names appear on renewable-energy tenders, airport concessions and port "
            "projects.",
            "The attraction is mutual. Host governments get capital without the governance "
            "conditions attached to many Western loans; Gulf funds diversify away from oil "
            "and gain influence along future trade routes.",
            "## What to watch",
            "The road sign is the type of deal. Minority stakes in existing assets are "
            "cautious; building new infrastructure from scratch signals long-term commitment. "
            "Recent announcements lean toward the second.",
            "Transparency is the open question: how these contracts are priced, and what "
            "happens if a project fails, is often not public.",
        ],
    },
    {
        "slug": "generation-that-never-saw-the-ussr",
        "title": "The generation that never saw the Soviet Union",
        "region": "post-soviet-region",
        "rubric": "social",
        "authors": ["nare-avetisyan", "lena-morozova"],
        "tags": ["youth", "education", "culture"],
        "hours_ago": 160,
        "teaser": "People born after 1991 are now a majority of voters in several countries "
        "of the region. They learned different history, speak different second languages "
        "and expect different things from the state.",
        "body": [
            "In several countries of the former Soviet Union, most adults were born after "
            "its collapse. Their parents' references — queues, five-year plans, shared "
            "holidays — are history lessons to them.",
            "Language shows the change. English has overtaken Russian as the preferred "
            "second language among students in many capitals, though Russian remains the "
            "language of migrant work and of much online entertainment.",
            "## Expectations",
            "Surveys suggest that younger citizens care less about ideology and more about "
            "services: fast registration, digital public offices, working courts. They "
            "compare their governments with what they see abroad, not with the past.",
            "Politicians who speak to this generation in the language of nostalgia tend to "
            "lose its attention quickly.",
        ],
    },
    {
        "slug": "black-sea-power-cable",
        "title": "A power cable under the Black Sea: engineering, money and trust",
        "region": "europe",
        "rubric": "analysis",
        "authors": ["rustam-nazarov", "davit-kalandadze"],
        "tags": ["electricity", "energy", "infrastructure"],
        "hours_ago": 171,
        "teaser": "A planned undersea cable would carry renewable electricity from the "
        "Caucasus to the European grid. The engineering is hard; agreeing on who pays, who "
        "owns and who may switch it off is harder.",
        "body": [
            "Long undersea power cables used to be a North Sea speciality. A cable across "
            "the Black Sea would be among the longest of its kind, at depths that few "
            "projects have attempted.",
            "Its promoters see it as a way to export wind and solar power from the Caucasus "
            "and to tie the region more closely to European markets. Its critics see a "
            "costly project in a sea that has become a conflict zone.",
            "## The commercial model",
            "Cables earn money from price differences between the two ends. That works when "
            "markets are coupled and rules are stable; both are still being built on the "
            "eastern side.",
            "Security is the final layer. Undersea infrastructure has become a target "
            "elsewhere, and protecting a cable along its whole length is as much a question "
            "of diplomacy as of engineering.",
        ],
    },
    {
        "slug": "beirut-publisher-keeping-books-in-print",
        "title": "A Beirut publisher on keeping books in print through crises",
        "region": "middle-east",
        "rubric": "interview",
        "authors": ["omar-haddad"],
        "tags": ["culture", "books", "economy"],
        "hours_ago": 182,
        "teaser": "Paper prices, power cuts and a currency that lost most of its value: a "
        "small publishing house explains how it still releases a dozen titles a year, and "
        "who buys them.",
        "body": [
            "We talked to the founder of a small independent publishing house in Beirut, who "
            "asked us not to print the firm's name.",
            "Q: How do you keep going?",
            "We print fewer copies and more often. Paper is paid for in dollars, so we cannot "
            "hold stock. A book that sells out is reprinted in a hundred copies, not a "
            "thousand.",
            "Q: Who reads?",
            "More people than you would think. Students, the diaspora through online orders, "
            "and book fairs in the Gulf, which keep us alive financially.",
            "Q: Has digital helped?",
            "For distribution, yes. For income, not much. People still want the object, and "
            "a printed book is also a statement that the city still makes things.",
        ],
    },
    {
        "slug": "central-asia-neutral-ground",
        "title": "Offering neutral ground: Central Asia's bid for a mediator's role",
        "region": "central-asia",
        "rubric": "road-sign",
        "authors": ["aigerim-sultanova", "lena-morozova"],
        "tags": ["diplomacy", "mediation"],
        "hours_ago": 193,
        "teaser": "Central Asian capitals increasingly offer to host other people's talks. "
        "Hosting costs little and earns goodwill — and it builds a reputation that a "
        "region between large powers can use.",
        "body": [
            "Central Asian governments have offered their capitals for negotiations that do "
            "not directly concern them: between neighbours in the Caucasus, between parties "
            "to conflicts further away.",
            "Distance is part of the appeal. A venue far from the big power centres can be "
            "acceptable to both sides when more obvious hosts are not.",
            "## What hosting buys",
            "A mediator's reputation is an asset for a region surrounded by larger powers. "
            "It brings visits, attention and a role that no one else can easily claim.",
            "The risk is small but real: talks that fail in your capital are remembered too. "
            "Hosts therefore tend to offer rooms rather than solutions, and let the parties "
            "own the outcome.",
        ],
    },
    {
        "slug": "customs-union-members-trade-elsewhere",
        "title": "Can a customs union survive members who trade elsewhere?",
        "region": "post-soviet-region",
        "rubric": "difficult-question",
        "authors": ["lena-morozova"],
        "tags": ["trade", "economy"],
        "hours_ago": 205,
        "teaser": "A customs union works when its members share tariffs and trust each other's "
        "border checks. What happens when some members' biggest partners lie outside it?",
        "body": [
            "Customs unions are built on a simple bargain: members share a common external "
            "tariff and stop checking goods at their internal borders.",
            "The bargain strains when members' trade patterns diverge. If a large share of "
            "one member's imports comes from outside the union, its tariff preferences and "
            "its partners' may drift apart.",
            "## Exceptions pile up",
            "The usual answer is a growing list of exemptions and transition periods. Each "
            "is reasonable alone; together they hollow out the common tariff.",
            "Unions can survive this, as others have, by becoming looser and more technical. "
            "The difficult part is admitting it and writing the rules for a flexible union "
            "rather than pretending to be a tight one.",
        ],
    },
    {
        "slug": "border-villager-line-on-a-map",
        "title": "A border villager on living beside a line drawn on a map",
        "region": "south-caucasus",
        "rubric": "interview",
        "authors": ["davit-kalandadze", "nare-avetisyan"],
        "tags": ["borders", "agriculture", "everyday life"],
        "hours_ago": 216,
        "teaser": "His orchard is a few hundred metres from a border that was agreed only "
        "recently. A farmer describes what changed for his family — and what has not.",
        "body": [
            "We met a fruit farmer in a village near a newly marked border. He asked to be "
            "identified only by his first name, Levon.",
            "Q: What changed when the border was marked?",
            "Concrete posts appeared where there used to be a footpath. The road to the "
            "district centre is now shorter for us, and longer for the village on the other "
            "side.",
            "Q: Do you feel safer?",
            "Quieter, yes. Safer takes longer. We still look at the hill before we go to the "
            "upper field.",
            "Q: What do you hope for?",
            "That the road to the market opens both ways. Apricots do not wait for diplomats.",
        ],
    },
    # Not public yet: the published gate keeps these out of the reader pages.
    {
        "slug": "uzbekistan-private-schools",
        "title": "Uzbekistan's private schools and the parents who pay",
        "region": "central-asia",
        "rubric": "social",
        "authors": ["nare-avetisyan", "aigerim-sultanova"],
        "tags": ["education", "youth"],
        "status": "review",
        "hours_ago": 2,
        "teaser": "Private schools have multiplied in Tashkent as parents look for English, "
        "computing and smaller classes. Teachers follow the salaries, and state schools "
        "feel the gap.",
        "body": [
            "Private schools in Tashkent advertise on billboards that once promoted mobile "
            "phone plans: bilingual teaching, robotics clubs, classes of fifteen.",
            "Parents who can afford the fees see them as an investment in university places "
            "abroad. Those who cannot worry that the best teachers are leaving state schools "
            "for better pay.",
            "## A question for the ministry",
            "Officials have raised state teachers' salaries and introduced new curricula, "
            "but competition for staff remains sharp in the capital. Outside it, private "
            "schools are still rare.",
        ],
    },
    {
        "slug": "visa-free-corridors-for-students",
        "title": "What the new visa-free corridors mean for students",
        "region": "post-soviet-region",
        "rubric": "analysis",
        "authors": ["lena-morozova"],
        "tags": ["education", "migration"],
        "status": "draft",
        "hours_ago": 1,
        "teaser": "Draft: visa rules between several neighbours are easing. Universities "
        "hope for more exchange students; consulates worry about the paperwork that "
        "follows.",
        "body": [
            "Notes for the story: collect the new visa rules by country, ask two "
            "universities about exchange numbers, and find a student who has moved "
            "recently.",
            "Working paragraph: easier travel does not automatically mean easier study. "
            "Recognition of diplomas and grades is the slower part of the change.",
            "To check: which agreements are already in force and which are only signed.",
        ],
    },
    {
        "slug": "translator-at-the-summit-table",
        "title": "A translator at the summit table",
        "region": "europe",
        "rubric": "interview",
        "authors": ["clara-vogt"],
        "tags": ["diplomacy", "languages"],
        "status": "draft",
        "hours_ago": 1,
        "teaser": "Draft interview: a conference interpreter on nuance, fatigue and the "
        "sentences that are hardest to carry from one language into another.",
        "body": [
            "Q: What is the hardest thing to interpret?",
            "Jokes, and very polite refusals. Both depend on what is not said.",
            "Q: (to ask) How long can you work before accuracy drops?",
        ],
    },
]


def body_html(paragraphs: list[str], media: dict[str, str] | None = None) -> str:
    """Turn demo paragraphs (plain text with a tiny markup) into safe HTML.

    *media* maps the markers "{figure}", "{gallery}" and "{embed}" to the body's HTML for
    them; "{note:…}" inside a paragraph is a footnote.
    """
    parts = []
    for paragraph in paragraphs:
        if media and paragraph in media:
            parts.append(media[paragraph])
        elif paragraph.startswith("## "):
            parts.append(f"<h2>{escape(paragraph[3:])}</h2>")
        elif paragraph.startswith("Q: "):
            parts.append(f"<p><strong>{escape(paragraph[3:])}</strong></p>")
        elif paragraph.startswith("> "):
            parts.append(
                f'<blockquote class="pull-quote"><p>{escape(paragraph[2:])}</p></blockquote>'
            )
        else:
            parts.append(f"<p>{_with_footnotes(paragraph)}</p>")
    return "\n".join(parts)


def _with_footnotes(paragraph: str) -> str:
    text, parts = paragraph, []
    while "{note:" in text:
        before, _, rest = text.partition("{note:")
        note, _, text = rest.partition("}")
        parts.append(f'{escape(before)}<span data-footnote="{escape(note)}"></span>')
    return "".join(parts) + escape(text)


# A story that shows every kind of media a body can hold: a wide figure, a gallery, a pull
# quote, footnotes and an embed. Its pictures are drawn like the lead images
# (articles.demo.drawing); "{figure}", "{gallery}" and "{embed}" mark where they go.
MEDIA_STORY = {
    "slug": "caspian-ferry-a-crossing-in-pictures",
    "title": "The Caspian ferry, a crossing in pictures",
    "region": "central-asia",
    "rubric": "analysis",
    "authors": ["lena-morozova"],
    "tags": ["transport", "trade"],
    "hours_ago": 5,
    "teaser": "Freight between Aktau and Baku waits for the weather, the berth and the paperwork. "
    "Maps, a gallery of the route and a short video show where the hours go.",
    "lead_label": "Caspian crossing",
    "figure_label": "Aktau to Baku",
    "gallery_labels": ["Aktau port", "Open water", "Baku rail yard"],
    "embed_url": "https://www.youtube.com/watch?v=jNQXAC9IVRw",
    "embed_frame": "https://www.youtube-nocookie.com/embed/jNQXAC9IVRw?autoplay=1",
    "embed_title": "Me at the zoo (the first video uploaded to YouTube, 2005)",
    "body": [
        "A lorry that leaves western Kazakhstan for the Black Sea spends more of its journey "
        "waiting than moving. The longest wait is not on the road but at the water's edge, "
        "where a ferry sails when it is full, when the wind allows and when the berth on the "
        "other side is free.",
        "{figure}",
        "The crossing itself takes about a day. Drivers report waits of three to ten days at "
        "the quay in winter{note:Drivers' accounts collected for this piece; the port "
        "authorities publish no waiting times.}, when storms close the port for days at a "
        "time.",
        "## Along the route",
        "{gallery}",
        "> Nobody on the quay asks when the ferry leaves. They ask whether it left yesterday.",
        "New berths and a second line of rail ferries are meant to halve the wait by the end "
        "of the decade{note:Investment plans as announced by the two governments; see "
        "https://www.example.org/caspian-ports for the timetable we used.}. Until then, "
        "the corridor's capacity is set by the slowest hour of its slowest link.",
        "## A player that waits for you",
        "Below is how Newsroom embeds a video: nothing is loaded from YouTube until you ask "
        "for it, so reading this page tells no one else that you did. We use the first video "
        "ever uploaded to the site, which has stayed online since 2005.",
        "{embed}",
    ],
}
