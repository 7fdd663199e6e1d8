/*!
The responders of fast sampling: the ordinary, unhoused seekers registered
by the publication day of the advert at hand (what `World::pool` lists),
kept up to date as the adverts are published in date order and homes let,
with what each pick has drawn already. Held by the world, drawn from by the
offer process.
*/

use woonaudit::model::Date;

/// With fast sampling: who can respond to the advert at hand.
#[derive(Clone, Debug, Default)]
pub(crate) struct Responders {
    /// Applicant indices by the first day they can respond (the later of
    /// registration_date and the record's creation), ascending.
    by_day: Vec<(Date, usize)>,
    /// How many of `by_day` have been let in.
    next: usize,
    /// The seekers let in and not housed, in no particular order.
    members: Vec<usize>,
    /// The position of each applicant in `members`, if there.
    at: Vec<Option<usize>>,
    /// The pick in which each applicant was last drawn (see `draw`).
    drawn_in: Vec<u32>,
    /// Picks so far.
    picks: u32,
}

impl Responders {
    /// Nobody let in yet, of a waiting list of `applicants`; `by_day`: the
    /// (first day they can respond, applicant index) of each ordinary
    /// seeker.
    pub(crate) fn new(mut by_day: Vec<(Date, usize)>, applicants: usize) -> Self {
        by_day.sort_unstable();
        Responders {
            by_day,
            next: 0,
            members: Vec::new(),
            at: vec![None; applicants],
            drawn_in: vec![0; applicants],
            picks: 0,
        }
    }

    /// Takes applicant `i` out (housed).
    pub(crate) fn remove(&mut self, i: usize) {
        if let Some(k) = self.at.get_mut(i).and_then(Option::take) {
            self.members.swap_remove(k);
            if let Some(&moved) = self.members.get(k) {
                self.at[moved] = Some(k);
            }
        }
    }

    /// Lets in everyone who can respond by `day` and is not housed (the
    /// days come in ascending order).
    pub(crate) fn let_in(&mut self, day: Date, housed: &[bool]) {
        while let Some(&(first, i)) = self.by_day.get(self.next) {
            if first > day {
                break;
            }
            self.next += 1;
            if !housed[i] {
                self.at[i] = Some(self.members.len());
                self.members.push(i);
            }
        }
    }

    /// Starts a pick: nobody drawn in it yet.
    pub(crate) fn start_pick(&mut self) {
        self.picks += 1;
    }

    /// How many responders there are.
    pub(crate) fn len(&self) -> usize {
        self.members.len()
    }

    /// The applicant index of responder `k` (`k < len()`).
    pub(crate) fn member(&self, k: usize) -> usize {
        self.members[k]
    }

    /// Marks applicant `i` drawn in this pick; false when it already was.
    pub(crate) fn draw(&mut self, i: usize) -> bool {
        if self.drawn_in[i] == self.picks {
            return false;
        }
        self.drawn_in[i] = self.picks;
        true
    }

    /// The responders not drawn in this pick, in no particular order.
    pub(crate) fn undrawn(&self) -> impl Iterator<Item = usize> + '_ {
        self.members
            .iter()
            .copied()
            .filter(|&i| self.drawn_in[i] != self.picks)
    }
}
