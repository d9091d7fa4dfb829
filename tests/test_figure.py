from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import geopandas as gpd
import matplotlib.colors as mcolors
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from pyproj import Geod

import geo
from geo import style
from geo.errors import OutputExistsError, ParameterError
from geo.figure import cartography, figure_format, plot, save_figure
from geo.figure.credits import SEED_EVENTS, events_credit
from geo.figure.labels import MAX_LABELS, importance_order
from geo.io.events import read_events
from geo.proximity import AT_SEA, analyze
from geo.theatre import Theatre
from tests.acled_like import acled_rows, to_csv

WGS84 = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def theatre() -> Theatre:
    return Theatre.from_pair("IRN-PAK")


def _plot(theatre: Theatre, events: gpd.GeoDataFrame | None = None, **kwargs) -> Figure:
    """Analyse once, then draw: the one way data flows."""
    analyzed = analyze(geo.seed_events() if events is None else events, theatre)
    return plot(analyzed, theatre, **kwargs)


@pytest.fixture(scope="module")
def fig(theatre) -> Figure:
    return _plot(theatre)


def _lonlat(crs, x, y):
    return cartography.project(shapely.Point(x, y), crs, inverse=True).coords[0]


def test_png_has_the_pixel_size_of_dpi_times_inches_and_is_not_blank(fig, tmp_path):
    out = save_figure(fig, tmp_path / "fig.png", dpi=60)
    image = mpimg.imread(out)
    width, height = fig.get_size_inches() * 60
    assert image.shape[:2] == (round(height), round(width))
    rgb = image[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.1
    assert len(np.unique((rgb * 255).astype(np.uint8), axis=0)) > 200
    # the Iranian strike (red) and the Pakistani strike (blue) are both drawn
    red = (rgb[:, 0] > 0.75) & (rgb[:, 1] < 0.25) & (rgb[:, 2] < 0.25)
    blue = (rgb[:, 0] < 0.2) & (rgb[:, 1] > 0.3) & (rgb[:, 1] < 0.5) & (rgb[:, 2] > 0.6)
    assert red.sum() > 20 and blue.sum() > 20


def test_svg_is_vector_with_text_and_named_parts(fig, tmp_path):
    out = save_figure(fig, tmp_path / "fig.svg")
    root = ET.parse(out).getroot()
    width, height = fig.get_size_inches() * 72
    assert root.get("width") == f"{width:g}pt" and root.get("height") == f"{height:g}pt"
    text = out.read_text()
    for part in ('id="scale-bar"', 'id="north-arrow-shape"', 'id="events"'):
        assert part in text
    # title and legend stay text (labels on the map are haloed, so drawn as paths)
    for label in (
        "Events along the Iran\u2013Pakistan border, January 2024",
        "Attacker: Pakistan (state forces)",
        "Iran\u2013Pakistan border",
        "Killed (marker area)",
    ):
        assert f">{label}<" in text


def test_projection_is_a_local_conformal_conic_not_lon_lat(fig):
    info = fig.bordermap
    assert info.crs.is_projected and not info.crs.is_geographic
    assert info.crs.coordinate_operation.method_name == "Lambert Conic Conformal (2SP)"
    params = {p.name: p.value for p in info.crs.coordinate_operation.params}
    border = geo.border("IRN", "PAK")
    lon0, lat0, lon1, lat1 = border.total_bounds
    assert (
        lat0
        < params["Latitude of 1st standard parallel"]
        < params["Latitude of 2nd standard parallel"]
        < lat1
    )
    assert lon0 < params["Longitude of false origin"] < lon1
    x0, x1, y0, y1 = info.extent
    assert 5e5 < x1 - x0 < 1.5e6 and 5e5 < y1 - y0 < 1.5e6  # metres, not degrees
    axes = fig.axes[0]
    assert axes.get_xlim() == pytest.approx((x0, x1)) and axes.get_ylim() == pytest.approx((y0, y1))


def test_view_is_the_pair_theatre_and_far_events_go_to_the_inset(fig):
    info = fig.bordermap
    assert info.near == ["Panjgur", "Saravan", "Chabahar"]
    # most important first: the strikes on Iraq and Syria, then the bombing in Kerman
    assert info.far == ["Erbil", "Idlib", "Kerman"]
    assert info.labelled == ["Saravan", "Panjgur", "Chabahar"]  # every event named
    x0, x1, y0, y1 = info.extent
    corners = [_lonlat(info.crs, x, y) for x in (x0, x1) for y in (y0, y1)]
    lons = [c[0] for c in corners]
    assert 57 < min(lons) and max(lons) < 67  # not stretched to Syria


def test_scale_bar_is_its_stated_length_on_the_ellipsoid(fig):
    info = fig.bordermap
    x0, x1, y, km = info.scale_bar
    assert km == 100.0
    (lon0, lat0), (lon1, lat1) = _lonlat(info.crs, x0, y), _lonlat(info.crs, x1, y)
    metres = WGS84.inv(lon0, lat0, lon1, lat1)[2]
    assert metres == pytest.approx(km * 1000, rel=1e-4)
    bar = next(line for line in fig.axes[0].lines if line.get_gid() == "scale-bar")
    assert bar.get_xdata() == pytest.approx([x0, x1])


def test_scale_bar_differs_from_nominal_scale_away_from_the_standard_parallels():
    crs = cartography.theatre_crs(60.0, 10.0, 70.0, 40.0)
    tr_y = cartography.project(shapely.Point(65.0, 25.0), crs).y
    edge_y = cartography.project(shapely.Point(65.0, 11.0), crs).y
    centre = cartography.scale_bar(crs, 0.0, tr_y, 100.0)
    edge = cartography.scale_bar(crs, 0.0, edge_y, 100.0)
    # a conic compresses between its standard parallels and stretches outside them
    assert centre < 100_000 < edge
    lon0, lat0 = _lonlat(crs, 0.0, edge_y)
    lon1, lat1 = _lonlat(crs, edge, edge_y)
    assert WGS84.inv(lon0, lat0, lon1, lat1)[2] == pytest.approx(100_000, rel=1e-6)


def test_north_arrow_points_to_true_north_where_it_stands(fig):
    info = fig.bordermap
    fx, fy, angle = info.north
    lon, lat = _lonlat(info.crs, fx, fy)
    lon_n, lat_n, _ = WGS84.fwd(lon, lat, 0.0, 50_000.0)
    north = cartography.project(shapely.Point(lon_n, lat_n), info.crs)
    expected = np.degrees(np.arctan2(north.x - fx, north.y - fy))
    assert angle == pytest.approx(expected, abs=0.05)
    arrow = next(a for a in fig.axes[0].texts if a.get_gid() == "north-arrow")
    (hx, hy), (tx, ty) = arrow.xy, arrow.xyann
    drawn = np.degrees(np.arctan2(hx - tx, hy - ty))
    assert drawn == pytest.approx(angle, abs=1e-6)
    # the arrow stands west of the central meridian, where north leans east
    assert angle > 0.5


def test_north_tilts_by_the_meridian_convergence():
    crs = cartography.theatre_crs(55.0, 24.0, 75.0, 36.0)
    west, east = (cartography.north_angle_deg(crs, lon, 30.0) for lon in (57.0, 73.0))
    assert west > 3 and east < -3 and west == pytest.approx(-east, rel=1e-3)
    assert cartography.north_angle_deg(crs, 65.0, 30.0) == pytest.approx(0.0, abs=1e-9)


def test_markers_grow_with_fatalities_and_take_the_attacker_colour(fig):
    dots = next(c for c in fig.axes[0].collections if c.get_gid() == "events")
    sizes = dots.get_sizes()
    colours = [tuple(np.round(c[:3], 3)) for c in dots.get_facecolors()]
    # Panjgur (2 killed, Iran), Saravan (9, Pakistan), Chabahar (0, Iran)
    assert sizes[2] < sizes[0] < sizes[1]
    red, blue = (0.839, 0.153, 0.157), (0.086, 0.408, 0.69)
    assert colours == [red, blue, red]


def test_attacker_colours_are_the_one_palette_of_geo_style(fig, theatre):
    palette = style.attacker_colours(list(theatre.countries), theatre.countries)
    irn, pak = (mcolors.to_rgb(palette[code]) for code in theatre.countries)
    dots = next(c for c in fig.axes[0].collections if c.get_gid() == "events")
    # Panjgur (Iran), Saravan (Pakistan), Chabahar (Iran)
    assert [tuple(c[:3]) for c in dots.get_facecolors()] == [irn, pak, irn]
    keys = [a for a in fig.axes[1].get_children() if isinstance(a, Legend)]
    swatch = {
        text.get_text(): handle.get_markerfacecolor()
        for key in keys
        for text, handle in zip(key.get_texts(), key.legend_handles, strict=True)
        if text.get_text().startswith("Attacker")
    }
    assert swatch["Attacker: Iran (state forces)"] == palette["IRN"]
    assert swatch["Attacker: Pakistan (state forces)"] == palette["PAK"]


@pytest.mark.slow
def test_another_theatre_gives_its_own_countries_the_pair_colours():
    theatre = Theatre.from_pair("AFG-PAK")
    analyzed = analyze(geo.seed_events(), theatre)
    fig = plot(analyzed, theatre)
    codes = analyzed["attacker"].fillna("").str.upper()
    palette = style.attacker_colours(codes, theatre.countries)
    assert (palette["AFG"], palette["PAK"]) == style.PAIR_COLOURS
    locator = fig.axes[1].child_axes[0]
    dots = next(c for c in locator.collections if c.get_gid() == "far-events")
    far = ~_on_main_map(analyzed)
    assert fig.bordermap.far and far.sum() == len(fig.bordermap.far)
    # the inset lists the far events most important first: strikes on another country
    places = analyzed["location"].str.replace(r"\s*\(.*\)$", "", regex=True)
    code_of = dict(zip(places, codes, strict=True))
    expected = [mcolors.to_rgb(palette[code_of[name]]) for name in fig.bordermap.far]
    assert [tuple(c[:3]) for c in dots.get_facecolors()] == expected
    # Saravan (9 dead), Erbil (4), Panjgur (2), Idlib (0), then Chabahar at home, Kerman
    assert [code_of[name] for name in fig.bordermap.far] == ["PAK", "IRN", "IRN", "IRN", "IRN", ""]


def test_draws_given_analysed_events_into_given_axes_without_analysing_again(theatre, monkeypatch):
    events = gpd.GeoDataFrame(
        {"location": ["Mand", "Turbat"], "fatalities": [3, 0], "attacker_iso3": ["IRN", None]},
        geometry=gpd.points_from_xy([61.95, 63.05], [26.35, 26.0]),
        crs="EPSG:4326",
    )
    analyzed = analyze(events, theatre)
    columns = list(analyzed.columns)

    def no_second_analysis(*args, **kwargs):
        raise AssertionError("plot analysed the events again")

    monkeypatch.setattr(geo.proximity, "analyze", no_second_analysis)
    host = Figure(figsize=(6, 6))
    ax = host.add_subplot()
    out = plot(analyzed, theatre, title="Two test events", ax=ax)
    assert out is host
    assert ax.get_title(loc="left") == "Two test events"
    assert out.bordermap.near == ["Mand", "Turbat"] and out.bordermap.far == []
    assert list(analyzed.columns) == columns  # the caller's frame is left as it was


def test_events_in_another_crs_are_transformed(theatre):
    events = geo.seed_events().to_crs("EPSG:3857")
    assert _plot(theatre, events).bordermap.near == ["Panjgur", "Saravan", "Chabahar"]


def test_bad_inputs_raise_one_line_errors(theatre, tmp_path):
    # plot draws an analysed frame; it does not analyse raw events itself
    with pytest.raises(ParameterError, match="border_distance_km") as raw:
        plot(geo.seed_events(), theatre)
    assert raw.value.param == "analyzed"
    elsewhere = analyze(geo.seed_events(), Theatre.from_pair("AFG-PAK"))
    with pytest.raises(ParameterError, match=r"measured against AFG-PAK, not .* IRN-PAK"):
        plot(elsewhere, theatre)
    with pytest.raises(ParameterError, match=r"not '\.pdf'") as suffix:
        figure_format(tmp_path / "fig.pdf")
    assert suffix.value.param == "out"
    existing = tmp_path / "fig.png"
    existing.write_bytes(b"keep")
    with pytest.raises(OutputExistsError):
        save_figure(Figure(), existing)
    assert existing.read_bytes() == b"keep"
    with pytest.raises(ParameterError, match="must be positive") as dpi:
        save_figure(Figure(), tmp_path / "new.png", dpi=0)
    assert dpi.value.param == "dpi"
    assert not (tmp_path / "new.png").exists()


@given(st.text(max_size=20), st.text(max_size=6))
def test_figure_format_is_png_svg_or_a_parameter_error(stem, suffix):
    name = f"{stem}.{suffix}"
    try:
        fmt = figure_format(name)
    except ParameterError as exc:
        assert "write a .png or .svg file" in str(exc)
    else:
        assert fmt in ("png", "svg")


def test_an_event_without_location_or_toll_still_draws(theatre):
    bare = gpd.GeoDataFrame(geometry=gpd.points_from_xy([62.0], [27.0]), crs="EPSG:4326")
    fig = _plot(theatre, bare)
    assert fig.bordermap.near == [""] and fig.bordermap.far == []
    assert fig.axes[0].get_title(loc="left") == "Events along the Iran\u2013Pakistan border"


def test_dollar_signs_in_title_and_data_are_literal_not_mathtext(theatre, tmp_path):
    # "$...$" would start matplotlib mathtext: garbled text, or a ParseFatalException
    # at save time for an unknown command such as \foo
    events = gpd.GeoDataFrame(
        {"location": [r"Cost $\foo$ town"], "fatalities": [1], "attacker_iso3": ["IRN"]},
        geometry=gpd.points_from_xy([61.95], [26.35]),
        crs="EPSG:4326",
    )
    title = r"Paid $5 and $10, $\foo$"
    fig = _plot(theatre, events, title=title)
    out = save_figure(fig, tmp_path / "dollars.svg")
    assert f">{title}<" in out.read_text()  # the title stays text, exactly as given
    label = [t for t in fig.axes[0].texts if t.get_text().startswith("Cost $\\foo$ town\n")]
    assert len(label) == 1 and not label[0].get_parse_math()


def test_unparseable_event_dates_leave_the_date_out(theatre):
    events = gpd.GeoDataFrame(
        {"event_date": ["not a date"], "location": ["Mand"], "fatalities": [3]},
        geometry=gpd.points_from_xy([61.95], [26.35]),
        crs="EPSG:4326",
    )
    fig = _plot(theatre, events)
    assert fig.bordermap.near == ["Mand"]
    assert "3 killed\n" in "".join(t.get_text() for t in fig.axes[0].texts)


def test_a_theatre_across_the_antimeridian_is_drawn_around_180():
    import shapely

    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(179, 60), (-179, 61)])], crs=4326)
    theatre = Theatre.from_border(line)
    events = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([179.5, -179.5], [60.2, 60.9]), crs="EPSG:4326"
    )
    fig = plot(analyze(events, theatre), theatre)
    info = fig.bordermap
    assert "central meridian 180.00" in info.crs.name
    x0, x1 = info.extent[:2]
    assert x1 - x0 < 1_000_000  # a few hundred km wide, not the whole world


# --- real-world-shaped data: 200 ACLED rows of the Afghanistan-Pakistan frontier ---


@pytest.fixture(scope="module")
def acled(tmp_path_factory):
    """200 ACLED rows, half moved up to 0.3 degrees so that many places compete for labels."""
    rows = acled_rows(200)
    rng = np.random.default_rng(11)
    for row in rows[1::2]:
        row["latitude"] = f"{float(row['latitude']) + rng.uniform(-0.3, 0.3):.4f}"
        row["longitude"] = f"{float(row['longitude']) + rng.uniform(-0.3, 0.3):.4f}"
    path = tmp_path_factory.mktemp("acled") / "acled_afpak.csv"
    path.write_bytes(to_csv(rows))
    theatre = Theatre.from_pair("AFG-PAK")
    analyzed = analyze(read_events(path).events, theatre)
    fig = plot(analyzed, theatre, events_origin=path.name)
    return analyzed, theatre, fig


def _on_main_map(analyzed: pd.DataFrame) -> pd.Series:
    """Within 200 km of the border; an area-level event by the near end of its interval."""
    dist = analyzed["border_distance_km"].fillna(analyzed["border_distance_min_km"])
    return dist <= 200


def _event_labels(fig: Figure) -> list:
    return [t for t in fig.axes[0].texts if t.get_gid() == "event-label"]


def test_with_200_events_only_the_most_important_are_named(acled):
    analyzed, _, fig = acled
    info = fig.bordermap
    labels = _event_labels(fig)
    assert len(info.near) > 100  # most of the 200 events are on the main map
    assert 5 <= len(labels) == len(info.labelled) <= MAX_LABELS
    assert len(set(info.labelled)) == len(info.labelled)  # one label per place
    # the cross-border strikes coded only in actor1 come first: Pakistan in Barmal and Sepera
    assert set(info.labelled[:2]) == {"Barmal", "Sepera"}
    strike = analyzed[analyzed["location"].isin(["Barmal", "Sepera"])]
    assert set(strike["attacker"]) == {"PAK"} and set(strike["attacker_basis"]) == {"inferred"}
    # then other attributed events, then the deadliest: every named place is among the
    # MAX_LABELS places ranked so (ties included)
    near = analyzed[_on_main_map(analyzed)]
    rank = pd.DataFrame(
        {
            "across": near["attacker"].notna() & (near["attacker"] != near["side"]),
            "attributed": near["attacker"].notna(),
            "dead": near["fatalities"].astype(float),
            "place": near["location"],
        }
    )
    best = rank.groupby("place")[["across", "attributed", "dead"]].max()
    keys = sorted(best.itertuples(index=False, name=None), reverse=True)
    cut = keys[MAX_LABELS - 1]
    top = {
        p
        for p, k in zip(best.index, best.itertuples(index=False, name=None), strict=True)
        if k >= cut
    }
    assert set(info.labelled) <= top
    lines = next(c for c in fig.axes[0].collections if c.get_gid() == "to-border")
    assert len(lines.get_segments()) <= len(labels)


@pytest.mark.parametrize("which", ["acled", "fig"])
def test_labels_do_not_overlap_each_other_the_sites_or_leave_the_map(which, request):
    fig = request.getfixturevalue(which)
    fig = fig[2] if isinstance(fig, tuple) else fig
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in _event_labels(fig)]
    assert boxes
    clashes = [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    assert clashes == []
    sites = [
        t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_gid() == "site-label"
    ]
    assert sites  # Chabahar and Gwadar; Peshawar, Khost or Bannu
    assert not [(a, b) for a in boxes for b in sites if a.overlaps(b)]
    frame = fig.axes[0].get_window_extent(renderer)
    for box in boxes:
        assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1
        assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1


def test_inferred_attackers_colour_the_strikes_and_the_key(acled):
    analyzed, theatre, fig = acled
    palette = style.attacker_colours(analyzed["attacker"].fillna(""), theatre.countries)
    dots = next(c for c in fig.axes[0].collections if c.get_gid() == "events")
    colours = [mcolors.to_hex(c[:3]) for c in dots.get_facecolors()]
    near = analyzed[_on_main_map(analyzed)]
    n_pak = int((near["attacker"] == "PAK").sum())
    assert n_pak >= 20 and colours.count(mcolors.to_hex(palette["PAK"])) == n_pak
    keys = [a for a in fig.axes[1].get_children() if isinstance(a, Legend)]
    entries = [t.get_text() for key in keys for t in key.get_texts()]
    assert (
        "Attacker: Pakistan (state forces)" in entries
        and "No attacker stated or inferred" in entries
    )
    caption = fig.texts[-1].get_text().replace("\n", " ")
    inferred = int((analyzed["attacker_basis"] == "inferred").sum())
    assert f"The attacker of {inferred} events is inferred from actor names" in caption


def test_the_caption_credits_the_users_data_not_bordermap(acled):
    _, _, fig = acled
    caption = fig.texts[-1].get_text().replace("\n", " ")
    assert "Events: acled_afpak.csv; reported by Dawn (50), " in caption
    assert "curation" not in caption and "AP/Reuters" not in caption
    assert fig.bordermap.credit in caption


def test_events_credit_from_the_source_column_or_the_file_name():
    reports = pd.DataFrame({"source": ["Dawn; Xinhua", "Dawn", "Geo News", "BBC; Dawn", ""]})
    assert events_credit(reports, "x.csv") == (
        "Events: x.csv; reported by Dawn (3), BBC (1), Geo News (1) and 1 other source."
    )
    assert events_credit(pd.DataFrame({"id": [1]}), "gaza.gpkg") == "Events: gaza.gpkg."
    assert events_credit(pd.DataFrame({"id": [1]}), None) == "Events: source not stated."
    seed = events_credit(geo.seed_events(), SEED_EVENTS)
    assert seed == f"Events: {SEED_EVENTS}." and "curation" in seed


def test_importance_puts_strikes_across_a_border_first_then_the_dead():
    frame = pd.DataFrame(
        {
            "_attacker": ["", "PAK", "PAK", "", "IRN"],
            "side": ["AFG", "PAK", "AFG", "PAK", AT_SEA],
            "fatalities": [40, 90, 1, np.nan, 0],
        }
    )
    # the strike on Afghanistan; at sea is not a country, so Iran's event there ranks as
    # a strike across no border, like Pakistan's at home (by fatalities)
    assert importance_order(frame).tolist() == [2, 1, 4, 0, 3]


@pytest.fixture
def square_axes():
    """Axes 0-100 on both sides, closed after the test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    yield ax
    plt.close(fig)


def test_labels_are_pushed_only_from_the_markers_near_them(square_axes):
    from geo.figure.labels import MARKER_CELL_PX, MAX_AVOIDED, _markers_near

    ax = square_axes
    rng = np.random.default_rng(3)
    avoid = rng.uniform(0, 100, (50_000, 2))
    labels = np.array([[10.0, 10.0], [90.0, 50.0]])
    near = _markers_near(avoid, labels, ax)
    assert 0 < len(near) <= MAX_AVOIDED
    gap = np.min(np.hypot(*(near[:, None, :] - labels[None, :, :]).transpose(2, 0, 1)), axis=1)
    kept_max = gap.max()
    others = np.min(np.hypot(*(avoid[:, None, :] - labels[None, :, :]).transpose(2, 0, 1)), axis=1)

    def cells(points):
        return {tuple(c) for c in np.floor(ax.transData.transform(points) / MARKER_CELL_PX)}

    # the nearest ones are the ones kept: each marker closer (by more than a cell, as a
    # cell's first marker stands for it) is on the cell of a kept one
    cell = MARKER_CELL_PX * np.sqrt(2) * 100 / min(ax.bbox.width, ax.bbox.height)
    assert cells(avoid[others < kept_max - cell]) <= cells(near)
    small = avoid[:100]
    assert (_markers_near(small, labels, ax) == small).all()  # few markers: all of them


def test_markers_on_one_spot_are_one_obstacle(square_axes):
    """ACLED puts many events on one point per place: each place is pushed from once."""
    from geo.figure.labels import MAX_AVOIDED, _markers_near

    ax = square_axes
    rng = np.random.default_rng(4)
    places = rng.uniform(0, 100, (150, 2))
    avoid = places[rng.integers(0, len(places), 20_000)]  # 20,000 events on 150 places
    near = _markers_near(avoid, np.array([[50.0, 50.0]]), ax)
    assert len(near) <= len(places) < MAX_AVOIDED
    # every place keeps its obstacle (none of them share a 4-pixel cell here)
    spots = {tuple(p) for p in np.round(near, 9)}
    assert spots == {tuple(p) for p in np.round(places, 9)}


@pytest.mark.parametrize(
    ("pair", "sites"),
    [
        ("SDN-TCD", None),  # Adré and Al-Junaynah are 30 km apart across the border
        ("IRN-PAK", ("Taftan", "Mirjaveh", "Zahedan", "Chabahar", "Gwadar Port", "Jiwani")),
    ],
)
def test_site_names_never_cover_one_another(pair, sites):
    from geo.theatre import Theatre

    theatre = Theatre.from_pair(pair, **({"sites": sites} if sites else {}))
    fig = plot(geo.analyze(geo.layers.events(), theatre), theatre)
    renderer = FigureCanvasAgg(fig).get_renderer()
    names = [t for t in fig.axes[0].texts if t.get_gid() == "site-label"]
    assert len(names) >= 2
    boxes = [t.get_window_extent(renderer) for t in names]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)


@pytest.mark.parametrize("pair", ["KHM-THA", "IRN-PAK", "SDN-TCD"])
def test_no_area_or_site_name_covers_another(pair):
    fig = plot(geo.analyze(geo.layers.events(), pair), pair)
    renderer = FigureCanvasAgg(fig).get_renderer()
    kinds = ("country-label", "province-label", "site-label")
    names = [t for t in fig.axes[0].texts if t.get_gid() in kinds]
    assert any(t.get_gid() == "country-label" for t in names)
    boxes = [t.get_window_extent(renderer) for t in names]
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, names, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())


def test_attackers_beyond_the_palette_share_one_key_row_as_on_the_map(theatre):
    states = ["AFG", "IRQ", "TUR", "ARE", "SAU", "QAT", "USA", "CHN", "IND"]
    points = [(61.0 + 0.15 * i, 27.0 + 0.1 * (i % 3)) for i in range(30)]
    events = gpd.GeoDataFrame(
        # nine states, three events each: the palette's six are the first by code
        {"attacker_iso3": ["PAK", "", "", *(states[i // 3] for i in range(27))],
         "event_date": pd.Timestamp("2024-01-16"), "fatalities": 1},
        geometry=gpd.points_from_xy(*zip(*points, strict=True)), crs="EPSG:4326",
    )  # fmt: skip
    fig = _plot(theatre, events)
    keys = [a for a in fig.axes[1].get_children() if isinstance(a, Legend)]
    entries = [t.get_text() for key in keys for t in key.get_texts()]
    attackers = [e for e in entries if e.startswith(("Attacker", "Other attackers", "No att"))]
    colours = style.frame_colours(events["attacker_iso3"], theatre.countries)
    grey = [c for c in states if colours[c] == style.OTHER_COLOUR]
    assert len(grey) == len(states) - len(style.PALETTE)
    assert style.other_attackers_label(len(grey)) in attackers
    assert not any(theatre.names.get(c, c) in " ".join(attackers) for c in grey)
    assert attackers[-1] == "No attacker stated or inferred"
    assert len(attackers) == 1 + len(style.PALETTE) + 1 + 1  # Pakistan, six, others, none
