/** Where a wrapper sees the checkout; origin paths start with it. */
export const CHECKOUT_LINK = '../repo/'
