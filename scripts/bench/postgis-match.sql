-- The match query of `luodi bench parcels`, in PostGIS: the same land needs, hard
-- constraints, score and top 20 as Luodi's matcher (crates/luodi-domain/src/land/matching.rs).
-- Needs: 60–200 mu, industry C2761, investment 150,000 万元, annual tax 5,000 and output
-- 200,000 万元, 6,000 kVA, 800 m³/day, gas, budget 40 万元/亩, one chain partner at
-- 121.5° E 38.5° N. Weights 15/25/15/15/15/15 (points of 100). Distances are from the
-- stored centroid, as Luodi's; PostGIS's sphere (6,370,986 m) is 3.6 ppm smaller than
-- Luodi's (6,371,008.8 m). Admitted industries are matched as text prefixes, which equals
-- Luodi's parsed codes for the well-formed codes the benchmark writes.
WITH
-- eligible:begin
eligible AS (
    SELECT p.* FROM parcels p
    WHERE p.area_mu BETWEEN 60 AND 200
      AND p.status = 'available'
      AND (cardinality(p.industries) = 0
           OR EXISTS (SELECT 1 FROM unnest(p.industries) i WHERE 'C2761' LIKE i || '%'))
      AND (p.investment_min IS NULL OR 150000 / p.area_mu >= p.investment_min)
      AND (p.tax_min IS NULL OR 5000 / p.area_mu >= p.tax_min)
      AND (p.output_min IS NULL OR 200000 / p.area_mu >= p.output_min)
      AND p.power_kva >= 6000
      AND p.water_m3_per_day >= 800
      AND p.gas
      AND (p.price IS NULL OR p.price <= 40)
)
-- eligible:end
, valued AS (
    SELECT e.id,
        1 - 0.5 * least(abs(e.area_mu - 130) / 70, 1) AS area,
        coalesce((
            SELECT avg(greatest(0.5, least(1, 0.5 + (have / m - 1))))
            FROM (VALUES (e.investment_min, 150000 / e.area_mu),
                         (e.tax_min, 5000 / e.area_mu),
                         (e.output_min, 200000 / e.area_mu)) AS x(m, have)
            WHERE m > 0), 1) AS indicators,
        0.4 * (least((e.power_kva - 6000) / 6000, 1) * 0.5 + 0.5)
          + 0.4 * (least((e.water_m3_per_day - 800) / 800, 1) * 0.5 + 0.5)
          + 0.2 * (e.gas::int + e.steam::int + e.road::int) / 3.0 AS utilities,
        coalesce(1 - 0.5 * e.price / 40, 0.5) AS price,
        1 - greatest(0, least(1,
            (ST_DistanceSphere(ST_SetSRID(ST_MakePoint(e.lon, e.lat), 4326), ST_SetSRID(ST_MakePoint(121.5, 38.5), 4326)) / 1000 - 1) / 19)) AS synergy,
        coalesce(s.value, 0) AS assessments
    FROM eligible e LEFT JOIN savings s ON s.assessments = e.assessments
)
SELECT id, 15 * greatest(0, least(1, area)) + 25 * greatest(0, least(1, indicators))
    + 15 * greatest(0, least(1, utilities)) + 15 * greatest(0, least(1, price))
    + 15 * greatest(0, least(1, synergy)) + 15 * greatest(0, least(1, assessments)) AS score
FROM valued
ORDER BY score DESC, id
LIMIT 20;
