"""OpenStreetMap: where OSM data comes from, and the road networks and POIs built from it."""
