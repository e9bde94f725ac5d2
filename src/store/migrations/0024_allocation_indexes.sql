-- 0024: the same guarantees as 0008 with fewer index entries written per allocation.
--
-- A room's active allocations had two indexes: allocations_room_active (UNIQUE room_id of
-- the active primary allocations: no room booked twice) and allocations_room (room_id of
-- every active allocation, for a room's occupants). One UNIQUE index now does both: its
-- key is (room_id, 0) for a primary allocation and (room_id, own id) for a sharer, so a
-- second active primary of a room is refused by the schema exactly as before, sharers
-- (each under its own id) are not, and a room's active allocations are its room_id range.
DROP INDEX allocations_room_active;
DROP INDEX allocations_room;
CREATE UNIQUE INDEX allocations_room_holders
    ON allocations(room_id, CASE WHEN primary_id IS NULL THEN 0 ELSE id END)
    WHERE state <> 'ended';

-- Rooms were indexed by (facility_id, state, id), so every move of a room moved its
-- entry. What reads rooms by state: a batch takes the vacant rooms of a facility in id
-- order (rooms_vacant), and the outlook counts the rooms cleaning since before a time
-- (rooms_cleaning); a facility's rooms by state are read through (facility_id, number).
-- Taking a vacant room now removes one entry and adds none.
DROP INDEX rooms_state;
CREATE INDEX rooms_vacant ON rooms(facility_id, id) WHERE state = 'vacant';
CREATE INDEX rooms_cleaning ON rooms(state_since) WHERE state = 'cleaning';
