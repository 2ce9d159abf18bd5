"""Customers: people, businesses and government offices the shop sells to and
repairs for, with their mobile numbers, departments and notes."""
