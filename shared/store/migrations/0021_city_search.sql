-- A guest searches a city's hotels whatever the case and accents typed
-- ("lisboa", "São Paulo" as "sao paulo"): the search compares
-- desk_fold(city) (migration 0015), and this index finds a city's hotels
-- without folding every hotel's city on every search.
CREATE INDEX hotels_city_fold ON hotels (desk_fold(city));
