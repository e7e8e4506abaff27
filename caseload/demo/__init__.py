"""The demo (`manage.py seed_demo`, run by `make run`): a made-up area, Northshire and the city of
Riverton, with its hospitals, GP practice, navigation team and service directory, and patients at
different points of their care, each made through the services exactly as the product makes
them. Data only: NHS numbers in the 999 range, Ofcom drama-range phone numbers, example.test."""
