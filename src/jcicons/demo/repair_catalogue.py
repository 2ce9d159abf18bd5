"""What comes in for repair and what the shop does about it: plain data.

The service catalogue (Philippine peso prices, warranty days), the devices people
bring in, the faults they bring them in for (in the customer's words, with the
technician's finding, the labour and the parts it takes), and the parts in stock
each kind of part may be. Read by `repair_script`, which plans tickets from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from jcicons.demo.catalogue import (
    ACCESSORIES,
    CHARGERS,
    INK,
    PANELS,
    RAM,
    REPAIR_PARTS,
    STORAGE,
    ProductSpec,
)

# The services ADMIN keeps in the catalogue: (name, price in pesos, warranty days).
SERVICE_CATALOGUE = (
    ("Diagnosis and check-up", 300, 0),
    ("OS reinstall (Windows 11) with drivers", 600, 7),
    ("Virus and malware removal", 600, 7),
    ("Data backup and transfer", 500, 0),
    ("Data recovery", 3_000, 0),
    ("Cleaning and thermal repaste", 800, 30),
    ("Desktop cleaning", 500, 14),
    ("RAM or SSD upgrade installation", 300, 30),
    ("Laptop screen replacement", 700, 30),
    ("Laptop keyboard replacement", 600, 30),
    ("Laptop battery replacement", 400, 60),
    ("Hinge repair", 900, 30),
    ("Motherboard repair", 2_500, 90),
    ("Power supply replacement", 500, 30),
    ("Water damage treatment", 1_200, 0),
    ("Printer head cleaning", 350, 7),
    ("Printer waste-ink pad reset", 500, 30),
    ("Printer ink system flushing", 700, 14),
    ("Printer paper feed repair", 600, 30),
    ("Monitor power board repair", 1_200, 60),
    ("Phone screen replacement", 500, 30),
    ("Phone charging port replacement", 450, 30),
    ("Phone battery replacement", 400, 60),
    ("Phone software reflash", 500, 7),
    ("Tablet touch glass replacement", 600, 30),
    ("UPS battery replacement", 300, 30),
    ("Network device configuration", 400, 7),
)
WARRANTY_DAYS = {name: days for name, _, days in SERVICE_CATALOGUE}
PRICES = {name: pesos * 100 for name, pesos, _ in SERVICE_CATALOGUE}


@dataclass(frozen=True)
class Device:
    """A make and model people bring in; `fits` names the parts made for it."""

    device_type: str
    brand: str
    model: str
    fits: str = ""
    name: str = ""  # what it is, for the device type OTHER
    serial_kind: str = "unit"  # "unit", "imei" or "" (none on the unit)

    def serial_spec(self) -> ProductSpec:
        """Return the product-like spec the serial maker shapes a serial from."""
        return ProductSpec(
            "", self.brand, self.model, self.model, 0, serial_kind=self.serial_kind
        )


def _many(device_type: str, *rows: tuple[str, ...]) -> tuple[Device, ...]:
    return tuple(Device(device_type, *row) for row in rows)


DEVICES = {
    "LAPTOP": _many(
        "LAPTOP",
        ("Acer", "Aspire 5 A514-54", "Acer Aspire 3/5"),
        ("Acer", "Aspire 3 A315-58", "Acer Aspire 3/5"),
        ("Acer", "Nitro 5 AN515-57", "Acer"),
        ("Lenovo", "IdeaPad 3 15ITL6", "Lenovo IdeaPad 3"),
        ("Lenovo", "IdeaPad Slim 3 15IAU7", "Lenovo IdeaPad 3"),
        ("Lenovo", "ThinkPad E14 Gen 2", "Lenovo"),
        ("HP", "14s-dq2xxx", "HP 14s/15s"),
        ("HP", "15s-fq5xxx", "HP 14s/15s"),
        ("HP", "Pavilion 14-dv0xxx", "HP"),
        ("ASUS", "Vivobook 14 X1404ZA", "ASUS Vivobook 14"),
        ("ASUS", "Vivobook 15 X515EA", "ASUS Vivobook 14/15"),
        ("ASUS", "TUF Gaming F15 FX506LH", "ASUS"),
        ("Dell", "Inspiron 15 3511", "Dell Inspiron 15"),
        ("Dell", "Vostro 14 3400", "Dell"),
        ("MSI", "Modern 14 B11M", "MSI"),
        ("Apple", "MacBook Air 13 (2020, M1)", "MacBook"),
    ),
    "DESKTOP": (
        *_many(
            "DESKTOP",
            ("Dell", "OptiPlex 3070 SFF", "Dell"),
            ("HP", "ProDesk 400 G6 MT", "HP"),
            ("Lenovo", "ThinkCentre M720s", "Lenovo"),
            ("Acer", "Veriton X2665G", "Acer"),
        ),
        Device("DESKTOP", "", "custom build (Ryzen 5 5600G)", serial_kind=""),
        Device("DESKTOP", "JC Icons", "JCI-I3 (Core i3-12100)"),
    ),
    "PRINTER": _many(
        "PRINTER",
        ("Epson", "EcoTank L3110", "Epson L-series"),
        ("Epson", "EcoTank L3210", "Epson L-series"),
        ("Epson", "L120", "Epson L-series"),
        ("Epson", "L360", "Epson L-series"),
        ("Canon", "PIXMA G2010", "Canon G-series"),
        ("Canon", "PIXMA G3010", "Canon G-series"),
        ("Brother", "DCP-T420W", "Brother"),
        ("HP", "Ink Tank 315", "HP"),
    ),
    "MONITOR": _many(
        "MONITOR",
        ("Samsung", 'S24F350 24"', "Samsung"),
        ("LG", '22MK430H 22"', "LG"),
        ("Acer", 'K202HQL 19.5"', "Acer"),
        ("Nvision", 'N190HD 19"', "Nvision"),
        ("Dell", 'E2216H 22"', "Dell"),
    ),
    "PHONE": _many(
        "PHONE",
        ("Samsung", "Galaxy A12", "Galaxy A", "", "imei"),
        ("Samsung", "Galaxy A15", "Galaxy A15", "", "imei"),
        ("Samsung", "Galaxy A05", "Galaxy A05", "", "imei"),
        ("Xiaomi", "Redmi 9A", "Redmi", "", "imei"),
        ("Xiaomi", "Redmi 13C", "Redmi 13C", "", "imei"),
        ("Xiaomi", "Redmi Note 13", "Redmi Note 13", "", "imei"),
        ("OPPO", "A18", "OPPO A18", "", "imei"),
        ("OPPO", "A16", "OPPO A", "", "imei"),
        ("vivo", "Y17s", "vivo Y17s", "", "imei"),
        ("realme", "C53", "realme C53", "", "imei"),
        ("Infinix", "Hot 40i", "Infinix Hot 40i", "", "imei"),
        ("Apple", "iPhone 11", "iPhone 11", "", "imei"),
        ("Apple", "iPhone 13", "iPhone 13", "", "imei"),
    ),
    "TABLET": _many(
        "TABLET",
        ("Samsung", "Galaxy Tab A8", "Galaxy Tab A8"),
        ("Lenovo", "Tab M10 (3rd Gen)", "Lenovo"),
    ),
    "OTHER": (
        Device("OTHER", "APC", "Back-UPS 625VA", "UPS", "UPS"),
        Device("OTHER", "TP-Link", "Archer C6", "", "Wi-Fi router"),
    ),
}
# How often each kind of device comes in.
DEVICE_MIX = (
    ("LAPTOP", 38),
    ("DESKTOP", 14),
    ("PRINTER", 18),
    ("MONITOR", 5),
    ("PHONE", 20),
    ("TABLET", 3),
    ("OTHER", 2),
)


@dataclass(frozen=True)
class Fault:
    """Why a device comes in, and what the shop finds and does.

    `asked` are the services the customer asks for at the counter; `labour` the
    ones the technician adds after diagnosis. With `estimate`, the repair waits
    for the customer's yes to the estimate. `unrepairable` is the chance the
    technician finds it cannot be fixed, and `finding_if_not` what they write then.
    """

    device_types: tuple[str, ...]
    problems: tuple[str, ...]
    finding: str
    weight: int = 10
    asked: tuple[str, ...] = ()
    labour: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    estimate: bool = True
    unrepairable: float = 0.0
    finding_if_not: str = ""
    condition: tuple[tuple[str, str], ...] = ()


_COMPUTERS = ("LAPTOP", "DESKTOP")
FAULTS = (
    Fault(
        _COMPUTERS,
        (
            "Very slow, pop-ups everywhere when browsing.",
            "Sobrang bagal na, may mga ads na lumalabas.",
            "Antivirus expired; files turning into shortcuts.",
        ),
        "Adware and a worm on the drive; cleaned, startup items trimmed.",
        weight=14,
        asked=("Virus and malware removal",),
        estimate=False,
    ),
    Fault(
        _COMPUTERS,
        (
            "Reformat please, keep the files in Documents.",
            "Windows update stuck, wants a fresh install.",
        ),
        "Files backed up; Windows 11 installed clean with drivers and Office.",
        weight=12,
        asked=("Data backup and transfer", "OS reinstall (Windows 11) with drivers"),
        estimate=False,
    ),
    Fault(
        _COMPUTERS,
        (
            "Stuck on the logo, then blue screen.",
            "Ayaw mag-boot, lumalabas 'no bootable device'.",
        ),
        "Drive failing (bad sectors in SMART); replace with an SSD and reinstall.",
        weight=12,
        labour=(
            "RAM or SSD upgrade installation",
            "OS reinstall (Windows 11) with drivers",
        ),
        parts=("ssd",),
    ),
    Fault(
        ("LAPTOP",),
        (
            "Overheats and shuts down when gaming.",
            "Mainit at maingay ang fan.",
        ),
        "Fan and heatsink clogged with dust; thermal paste dried out.",
        weight=12,
        asked=("Cleaning and thermal repaste",),
        parts=("thermal_paste",),
        estimate=False,
    ),
    Fault(
        ("LAPTOP",),
        ("Fan grinding loudly, laptop gets very hot.",),
        "CPU fan bearing worn out; replace the fan, clean and repaste.",
        weight=4,
        labour=("Cleaning and thermal repaste",),
        parts=("laptop_fan", "thermal_paste"),
    ),
    Fault(
        ("LAPTOP",),
        ("Screen cracked after it fell.", "Basag ang screen, may lines at black spot."),
        "LCD panel cracked; replace with a compatible panel.",
        weight=9,
        labour=("Laptop screen replacement",),
        parts=("laptop_panel",),
        condition=(("screen_ok", "no"),),
    ),
    Fault(
        ("LAPTOP",),
        ("Some keys not working after a coffee spill.", "Keyboard typing by itself."),
        "Keyboard membrane damaged by liquid; replace the keyboard.",
        weight=7,
        labour=("Laptop keyboard replacement",),
        parts=("laptop_keyboard",),
        condition=(("keyboard_ok", "no"),),
    ),
    Fault(
        ("LAPTOP",),
        (
            "Battery lasts 20 minutes only.",
            "Only works when plugged in; battery swollen.",
        ),
        "Battery worn out (under 40% of design capacity); replace the battery.",
        weight=8,
        labour=("Laptop battery replacement",),
        parts=("laptop_battery",),
    ),
    Fault(
        ("LAPTOP",),
        ("Charger is dead, no light on the adapter.",),
        "Adapter dead; the laptop charges with a good one. Replace the adapter.",
        weight=5,
        labour=("Diagnosis and check-up",),
        parts=("laptop_charger",),
    ),
    Fault(
        ("LAPTOP",),
        ("Hinge broke; the screen wobbles when opened.",),
        "Left hinge snapped and its mount cracked; replace the hinge set.",
        weight=4,
        labour=("Hinge repair",),
        parts=("hinge",),
        condition=(("housing_ok", "no"),),
    ),
    Fault(
        _COMPUTERS,
        (
            "Upgrade the RAM to 16GB please.",
            "Add an SSD, the hard disk is too slow.",
        ),
        "Upgrade done as requested; tested with a memory check.",
        weight=7,
        asked=("RAM or SSD upgrade installation",),
        parts=("sodimm",),
        estimate=False,
    ),
    Fault(
        _COMPUTERS,
        ("No power at all, no lights.", "Hindi nag-o-on kahit naka-charge."),
        "Short on the motherboard's power rail; board-level repair needed.",
        weight=7,
        labour=("Motherboard repair",),
        unrepairable=0.35,
        finding_if_not="Main chipset shorted; no board or chip available.",
        condition=(("powers_on", "no"),),
    ),
    Fault(
        ("LAPTOP", "PHONE", "TABLET"),
        ("Natapunan ng tubig, ayaw na mag-on.", "Fell in water yesterday."),
        "Corrosion on the board; cleaned in ultrasonic bath, dried and tested.",
        weight=5,
        labour=("Water damage treatment",),
        unrepairable=0.45,
        finding_if_not="Corrosion too deep under the main chip; beyond repair.",
        condition=(("water_damage", "yes"), ("powers_on", "no")),
    ),
    Fault(
        _COMPUTERS,
        ("Deleted the thesis folder by mistake, need it back.",),
        "Deleted files recovered to an external drive; customer checked them.",
        weight=3,
        labour=("Data recovery",),
        unrepairable=0.25,
        finding_if_not="Files overwritten by a reinstall; nothing recoverable.",
    ),
    Fault(
        ("DESKTOP",),
        ("No display, beeps three times.", "Walang display pero umiikot ang fan."),
        "Memory stick dead; replace the RAM.",
        weight=6,
        labour=("Desktop cleaning",),
        parts=("desktop_ram",),
    ),
    Fault(
        ("DESKTOP",),
        ("Won't power on after a brownout.",),
        "Power supply dead after the brownout; replace it.",
        weight=6,
        labour=("Power supply replacement",),
        parts=("psu",),
        condition=(("powers_on", "no"),),
    ),
    Fault(
        ("DESKTOP",),
        ("Clock resets and it asks to press F1 every start.",),
        "CMOS battery flat; replace it and set the BIOS.",
        weight=3,
        asked=("Desktop cleaning",),
        parts=("cmos",),
        estimate=False,
    ),
    Fault(
        ("PRINTER",),
        ("Prints with lines, colours missing.", "Faded print, may guhit."),
        "Nozzles clogged; head cleaned and nozzle check passed.",
        weight=12,
        asked=("Printer head cleaning",),
        parts=("ink",),
        estimate=False,
        unrepairable=0.15,
        finding_if_not="Print head dead; a new head costs more than the printer.",
    ),
    Fault(
        ("PRINTER",),
        (
            "Red lights blinking alternately, won't print.",
            "'Service required' message.",
        ),
        "Waste-ink pads full; pads replaced and counter reset.",
        weight=9,
        labour=("Printer waste-ink pad reset",),
        parts=("waste_pad",),
    ),
    Fault(
        ("PRINTER",),
        ("Paper does not feed, jams every page.",),
        "Pickup roller worn smooth; replace the roller.",
        weight=6,
        labour=("Printer paper feed repair",),
        parts=("roller",),
    ),
    Fault(
        ("PRINTER",),
        ("Ink not coming out after refilling.", "Air in the ink tubes."),
        "Air in the ink lines; system flushed and refilled.",
        weight=5,
        labour=("Printer ink system flushing",),
        parts=("ink",),
    ),
    Fault(
        ("MONITOR",),
        ("No display, power light blinking.", "Monitor turns off after a minute."),
        "Bulged capacitors on the power board; recapped.",
        weight=6,
        labour=("Monitor power board repair",),
        parts=("capacitors",),
        unrepairable=0.3,
        finding_if_not="Panel's T-con board dead; no replacement board available.",
    ),
    Fault(
        ("PHONE",),
        ("Basag ang LCD, hindi na gumagana ang touch.", "Screen cracked, black ink."),
        "LCD and digitizer broken; replace the screen assembly.",
        weight=14,
        labour=("Phone screen replacement",),
        parts=("phone_lcd",),
        condition=(("screen_ok", "no"),),
    ),
    Fault(
        ("PHONE",),
        ("Does not charge unless the cable is held at an angle.",),
        "Charging port worn; replace the port board.",
        weight=8,
        labour=("Phone charging port replacement",),
        parts=("charging_port",),
        condition=(("ports_ok", "no"),),
    ),
    Fault(
        ("PHONE",),
        ("Battery drains fast and the back is bulging.",),
        "Battery swollen; replace it before it damages the screen.",
        weight=7,
        labour=("Phone battery replacement",),
        parts=("phone_battery",),
    ),
    Fault(
        ("PHONE", "TABLET"),
        ("Stuck on the logo after an update.", "Nakalimutan ang pattern lock."),
        "Firmware corrupted; reflashed (data erased, customer agreed).",
        weight=6,
        labour=("Phone software reflash",),
    ),
    Fault(
        ("TABLET",),
        ("Cracked glass, touch works only on one side.",),
        "Touch glass cracked; replace the glass.",
        weight=8,
        labour=("Tablet touch glass replacement",),
        parts=("tablet_glass",),
        condition=(("screen_ok", "no"),),
    ),
    Fault(
        ("OTHER",),
        ("UPS beeps and gives no backup.",),
        "Battery dead; replace with a 12V 7Ah battery.",
        weight=5,
        labour=("UPS battery replacement",),
        parts=("ups_battery",),
    ),
    Fault(
        ("OTHER",),
        ("Wi-Fi keeps dropping; forgot the admin password.",),
        "Reset, firmware updated and configured with a new password.",
        weight=3,
        asked=("Network device configuration",),
        estimate=False,
    ),
)

# Kinds of part: (category, words one of which the product's name has).
PART_KINDS = {
    "ssd": (STORAGE, ("nvme m.2 ssd", "2.5in sata ssd")),
    "sodimm": (RAM, ("sodimm",)),
    "desktop_ram": (RAM, ("desktop", "vulcan z ddr4 8gb")),
    "thermal_paste": (ACCESSORIES, ("thermal compound",)),
    "laptop_panel": (PANELS, ("laptop panel",)),
    "phone_lcd": (PANELS, ("lcd with digitizer", "soft oled", "incell lcd")),
    "tablet_glass": (PANELS, ("touch glass",)),
    "laptop_charger": (CHARGERS, ("laptop charger",)),
    "ink": (INK, ("ink bottle",)),
    "laptop_battery": (REPAIR_PARTS, ("laptop battery",)),
    "laptop_keyboard": (REPAIR_PARTS, ("laptop keyboard",)),
    "laptop_fan": (REPAIR_PARTS, ("cooling fan",)),
    "hinge": (REPAIR_PARTS, ("hinge set",)),
    "phone_battery": (REPAIR_PARTS, ("phone battery",)),
    "charging_port": (REPAIR_PARTS, ("charging port",)),
    "psu": (REPAIR_PARTS, ("power supply",)),
    "cmos": (REPAIR_PARTS, ("cmos battery",)),
    "waste_pad": (REPAIR_PARTS, ("waste ink pad", "absorber kit")),
    "roller": (REPAIR_PARTS, ("pickup roller",)),
    "ups_battery": (REPAIR_PARTS, ("ups battery",)),
    "capacitors": (REPAIR_PARTS, ("capacitor kit",)),
}


def part_kind_of(spec: ProductSpec) -> str:
    """Return the kind of part a product is ("" for none); serialized goods never."""
    if spec.is_service or spec.is_serialized:
        return ""
    name = spec.name.lower()
    for kind, (category, words) in PART_KINDS.items():
        if spec.category == category and any(word in name for word in words):
            return kind
    return ""


# What people leave with each kind of device: (accessory, how often).
ACCESSORIES_LEFT = {
    "LAPTOP": (("Charger or adapter", 0.75), ("Bag or case", 0.3)),
    "DESKTOP": (("Power cable", 0.55),),
    "PRINTER": (
        ("Power cable", 0.6),
        ("USB or data cable", 0.35),
        ("Ink or toner", 0.2),
    ),
    "MONITOR": (("Power cable", 0.7),),
    "PHONE": (("SIM card", 0.35), ("Memory card", 0.15), ("Bag or case", 0.4)),
    "TABLET": (("Charger or adapter", 0.4), ("Bag or case", 0.5)),
    "OTHER": (("Power cable", 0.5),),
}
ACCESSORY_NOTES = (
    "Blue pouch",
    "Charger cord taped near the plug",
    "With 2 ink bottles, half full",
    "Phone case with cards inside (removed, given back)",
    "Laptop sticker on the lid",
)
CONDITION_NOTES = (
    "Scratches on the lid.",
    "Two rubber feet missing.",
    "Cracked bezel corner, old.",
    "Worn keys (A, S, D).",
    "Yellowed case.",
    "Screen protector cracked (not the screen).",
    "Dent on the corner from an old drop.",
)
PASSCODES = ("1234", "0000", "2580", "123456", "L pattern from top left", "Z pattern")

# Who comes for the device and what ID they show.
ID_SHOWN = (
    ("Claim stub", 50),
    ("Driver's license", 15),
    ("UMID", 8),
    ("PhilSys national ID", 15),
    ("Company ID", 7),
    ("Postal ID", 5),
)
RELATIVES = ("sister", "brother", "wife", "husband", "mother", "son", "daughter")

# What the shop writes on the timeline while a device waits, and at the counter.
READY_CALLS = (
    "Texted the customer: ready for pickup.",
    "Called the customer: unit is ready.",
)
APPROVAL_CALLS = (
    "Called for the customer's answer to the estimate; no answer yet.",
    "Customer asked for a few days to decide on the estimate.",
)
UNCLAIMED_CALLS = (
    "Called again; no answer.",
    "Texted a reminder about the pickup.",
    "Customer says they will pick it up on payday.",
    "Number unattended; left a message with the family.",
)
DECLINED_NOTES = (
    "Customer declined the estimate: too expensive.",
    "Customer will buy a new unit instead.",
    "Customer will look for the part elsewhere.",
)
PULLED_OUT_NOTES = (
    "Customer needs the unit back for work; pulled out before diagnosis.",
    "Customer took the unit back; will return it next month.",
)
WAIVER_REASONS = (
    "Regular customer; fee waived since the unit could not be fixed.",
    "Goodwill: repair took longer than promised.",
)
CREDIT_REASONS = (
    "Company account: pays against the monthly statement.",
    "Purchase order on file; accounting pays in 30 days.",
)
COMEBACK_PROBLEMS = (
    "Same problem came back after a few days.",
    "Back under warranty: the fault returned.",
)
TECH_NOTES = (
    "Stress-tested for 2 hours, no shutdowns.",
    "Checked all ports and the keyboard after the repair.",
    "Printed a test page and a nozzle check.",
    "Tested calls, charging and the camera.",
)
