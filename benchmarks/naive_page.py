"""The naive page the dashboard benchmark compares against: one folium.Marker with a
popup per event, folium's default (CDN) assets, no caching. Not part of the app."""
import folium
import streamlit as st
from streamlit_folium import st_folium

import layers
from store import GeoPackageStore

events = GeoPackageStore().query()
m = folium.Map(location=[39.8, 46.75], zoom_start=8, tiles=None)
for lid in layers.LAYER_IDS:
    if st.checkbox(lid, value=lid != "places", key=f"layer_{lid}"):
        gdf = layers.load_layer(lid, as_of="2023-09-19")
        if not gdf.empty:
            folium.GeoJson(gdf[["geometry"]].to_json()).add_to(m)
for r in events.itertuples():
    folium.Marker([r.latitude, r.longitude], popup=f"{r.sub_event_type} {r.event_date} {r.x_evidence}").add_to(m)
st_folium(m, key="map", height=700)
