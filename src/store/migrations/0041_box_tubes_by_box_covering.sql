-- 0041: a box's tubes read from the index alone. The results import reads every tube of
-- the received boxes (store_bulk_received_tubes: box by box, each box's tubes in packing
-- order through box_tubes_box); the index held (box_id, id) and each tube's id was then
-- sought in box_tubes itself, once a tube: about a tenth of the read's instructions
-- (bench/testing, 48,506 tubes). With tube_id in the index the read stays in it. The
-- same name and order (box, then packing), so every query that used it still does; the
-- index grows by the tube's id an entry. Applies again on its own result.
DROP INDEX box_tubes_box;
CREATE INDEX box_tubes_box ON box_tubes(box_id, id, tube_id);
